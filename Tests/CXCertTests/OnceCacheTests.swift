import Foundation
import Synchronization
import Testing

@testable import CXCertDiscovery

/// How many computations ran.
private final class Computations: Sendable {
    let count = Mutex(0)
}

/// How builds share the walk's network work: one computation per key, however many builds ask at once.
@Suite("The walk's shared answers: one computation per key")
struct OnceCacheTests {
    @Test("20 builds asking the same question at once share one computation; another question is computed on its own")
    func sharedComputation() async {
        let cache = OnceCache<String, Int>()
        let computed = Computations()
        let answers = await withTaskGroup(of: Int.self) { group in
            for index in 0..<20 {
                group.addTask {
                    await cache.value(for: index == 19 ? "other" : "same") {
                        let count = computed.count.withLock { count in
                            count += 1
                            return count
                        }
                        try? await Task.sleep(nanoseconds: 100_000_000)
                        return count * 100
                    }
                }
            }
            var answers: [Int] = []
            for await answer in group { answers.append(answer) }
            return answers
        }
        #expect(computed.count.withLock { $0 } == 2)
        #expect(Set(answers).count == 2, "\(answers)")
        #expect(answers.count == 20)
        // Asked again later: the value kept, nothing computed.
        let later = await cache.value(for: "same") { -1 }
        #expect(later != -1 && answers.contains(later))
        #expect(computed.count.withLock { $0 } == 2)
    }
}
