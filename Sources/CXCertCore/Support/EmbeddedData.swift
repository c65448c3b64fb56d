/// The trust store and the device knowledge, compiled into the binary by SwiftPM (`.embedInCode` in
/// Package.swift, through the `TrustStore` and `Knowledge` links in this target), so that a `cxcert` copied
/// alone to another folder still has them. The build embeds the files as they are: there is nothing to regenerate.
enum EmbeddedData {
    /// `TrustStore/index.json`
    static var trustStoreIndex: [UInt8] { PackageResources.index_json }
    /// `Knowledge/devices.json`
    static var devices: [UInt8] { PackageResources.devices_json }
    /// `Knowledge/symptoms.json`
    static var symptoms: [UInt8] { PackageResources.symptoms_json }
    /// `Knowledge/discovery.json`
    static var discovery: [UInt8] { PackageResources.discovery_json }
    /// `Knowledge/updates.json`
    static var updates: [UInt8] { PackageResources.updates_json }

    /// A PEM of `TrustStore/`, by its path relative to that folder (as `index.json` names it). SwiftPM names an
    /// embedded file by its base name, so this table maps the paths; a test checks it covers every PEM.
    static func trustStoreFile(_ path: String) -> [UInt8]? {
        switch path {
        case "addtrust-external-ca-root.pem": PackageResources.addtrust_external_ca_root_pem
        case "alternates/entrust-net-ca-2048-2029-reissue.pem": PackageResources.entrust_net_ca_2048_2029_reissue_pem
        case "alternates/globalsign-root-ca-r1-2028-reissue.pem": PackageResources.globalsign_root_ca_r1_2028_reissue_pem
        case "alternates/verisign-class2-pca-g2.pem": PackageResources.verisign_class2_pca_g2_pem
        case "alternates/verisign-class3-pca-g2.pem": PackageResources.verisign_class3_pca_g2_pem
        case "alternates/verisign-class3-pca-sha1-resign.pem": PackageResources.verisign_class3_pca_sha1_resign_pem
        case "baltimore-cybertrust-root.pem": PackageResources.baltimore_cybertrust_root_pem
        case "comodo-aaa-certificate-services.pem": PackageResources.comodo_aaa_certificate_services_pem
        case "entrust-net-ca-2048-2019.pem": PackageResources.entrust_net_ca_2048_2019_pem
        case "entrust-net-secure-server-ca.pem": PackageResources.entrust_net_secure_server_ca_pem
        case "equifax-secure-ca.pem": PackageResources.equifax_secure_ca_pem
        case "geotrust-global-ca.pem": PackageResources.geotrust_global_ca_pem
        case "globalsign-root-ca-r1-2014.pem": PackageResources.globalsign_root_ca_r1_2014_pem
        case "godaddy-class2-ca.pem": PackageResources.godaddy_class2_ca_pem
        case "gte-cybertrust-global-root.pem": PackageResources.gte_cybertrust_global_root_pem
        case "rsa-secure-server-ca-1000bit.pem": PackageResources.rsa_secure_server_ca_1000bit_pem
        case "starfield-class2-ca.pem": PackageResources.starfield_class2_ca_pem
        case "thawte-premium-server-ca.pem": PackageResources.thawte_premium_server_ca_pem
        case "thawte-server-ca.pem": PackageResources.thawte_server_ca_pem
        case "valicert-class2-policy-va.pem": PackageResources.valicert_class2_policy_va_pem
        case "verisign-class2-pca-md2.pem": PackageResources.verisign_class2_pca_md2_pem
        case "verisign-class3-pca-md2.pem": PackageResources.verisign_class3_pca_md2_pem
        default: nil
        }
    }
}
