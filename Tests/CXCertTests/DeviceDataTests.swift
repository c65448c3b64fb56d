import Testing

@testable import CXCertCore

/// The built-in device data is compiled into Swift values (`Scripts/device-data`); the JSON in `Knowledge/` stays the
/// source of truth. These tests hold the two equal, field by field, and check the compiled rows as a loaded file's are.
@Suite("The compiled device data is the JSON's")
struct DeviceDataTests {
    /// Every stored field, as `dump` writes it: a build number's text as well as its numbers (`==` compares numbers only).
    private func fields(_ value: some Any) -> String {
        var text = ""
        dump(value, to: &text)
        return text
    }

    @Test("families, builds and rules equal the JSON decoded and checked as before")
    func compiledEqualsJSON() throws {
        let json = try DeviceKnowledgeBase.builtInFromJSON()
        let compiled = DeviceKnowledgeBase.builtIn
        #expect(compiled.families.count == 2 && compiled.builds.count == json.builds.count && compiled.rules.count == json.rules.count)
        #expect(fields(compiled.families) == fields(json.families))
        #expect(fields(compiled.builds) == fields(json.builds))
        #expect(fields(compiled.rules) == fields(json.rules))
        #expect(compiled.overrides.isEmpty)
    }

    @Test("each compiled row passes the load-time checks, named by its file")
    func compiledRowsPassTheLoadChecks() throws {
        try DeviceKnowledgeBase.check(BuiltInDeviceData.deviceRules, file: "Knowledge/devices.json")
        try DeviceKnowledgeBase.check(BuiltInDeviceData.discoveryRules, file: "Knowledge/discovery.json")
    }

    @Test("the comparison sees a build number written differently, which == does not")
    func comparisonSeesText() throws {
        let short = FirmwareVersion(parts: [4, 0], text: "4.0")
        let long = try #require(FirmwareVersion("4.0.0.0"))
        #expect(short == long)
        #expect(fields(short) != fields(long))
        #expect(
            fields(FirmwareVersion(parts: [4, 0, 7577, 4463], text: "4.0.7577.4463"))
                == fields(try #require(FirmwareVersion("4.0.7577.4463"))))
    }
}
