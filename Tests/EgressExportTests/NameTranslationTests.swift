@testable import EgressExport
import Testing

/// Each target's wildcard dialect, as its documents state it (see NameTranslation).
@Suite struct NameTranslationTests {
    @Test func ciliumSaysAzuresAnyDepthWildcardWithItsMultiLevelPrefix() throws {
        let t = try NameTranslation.translate("*.blob.core.windows.net", to: .cilium).get()
        #expect(t == .init(text: "**.blob.core.windows.net", isPattern: true, widened: nil))
        let g = try NameTranslation.translate("snovap*.blob.core.windows.net", to: .cilium).get()
        #expect(g == .init(text: "snovap*.blob.core.windows.net", isPattern: true, widened: nil))
        let e = try NameTranslation.translate("Login.MicrosoftOnline.com.", to: .cilium).get()
        #expect(e == .init(text: "login.microsoftonline.com", isPattern: false, widened: nil))
    }

    @Test func azureFirewallWidensAnInLabelWildcardAndSaysSo() throws {
        let exact = try NameTranslation.translate("*.blob.core.windows.net", to: .azureFirewall).get()
        #expect(exact.text == "*.blob.core.windows.net" && exact.widened == nil)
        let g = try NameTranslation.translate("snovap*.blob.core.windows.net", to: .azureFirewall).get()
        #expect(g.text == "*.blob.core.windows.net")
        #expect(g.widened?.contains("snovap*.blob.core.windows.net") == true)
    }

    @Test func awsLeadingDotAddsTheApexWithAWarning() throws {
        let t = try NameTranslation.translate("*.servicebus.windows.net", to: .aws).get()
        #expect(t.text == ".servicebus.windows.net")
        #expect(t.widened?.contains("apex") == true)
        let e = try NameTranslation.translate("management.azure.com", to: .aws).get()
        #expect(e.text == "management.azure.com" && e.widened == nil)
        #expect(throws: NameTranslation.Reason.self) { try NameTranslation.translate("*", to: .aws).get() }
    }
}
