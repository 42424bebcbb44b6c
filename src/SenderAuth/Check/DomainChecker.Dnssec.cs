using SenderAuth.Dns;

namespace SenderAuth.Check;

public sealed partial class DomainChecker
{
    /// <summary>
    /// Tells DNSSEC status: our own validation from a trust anchor (<see cref="SenderAuth.Dns.DnsSec.ValidatingDnssecProbe"/>) or a
    /// validating resolver's verdict (<see cref="NetworkDnssecProbe"/>); null, the default, skips the DNSSEC area
    /// (e.g. when answering from zone files, which say nothing about validation).
    /// </summary>
    public IDnssecProbe? Dnssec { get; init; }

    /// <summary>
    /// DNSSEC as a validating resolver sees it (<see cref="Dnssec"/>; skipped when null): the
    /// domain's zone, then each DKIM CNAME target in the provider's zone, so the institution knows whether the chain
    /// from its name to the key receivers fetch is secure end to end.
    /// </summary>
    private async Task CheckDnssecAsync(string domain, ProviderProfile profile, string code, List<CheckFinding> findings, CancellationToken ct)
    {
        if (Dnssec is not { } probe)
        {
            return;
        }
        var own = await probe.ProbeAsync(domain, DnsRecordType.Txt, ct).ConfigureAwait(false);
        var zone = own.ZoneApex ?? domain;
        findings.Add(own.Status switch
        {
            DnssecStatus.Secure => new CheckFinding(CheckArea.Dnssec, FindingSeverity.Info, CheckCodes.DnssecSecure,
                $"the zone {zone} is signed and validates: receivers can trust its SPF, DKIM and DMARC answers")
                { Subject = domain, Observed = Observed(own) },
            DnssecStatus.Insecure when own.ZoneSigned => new CheckFinding(CheckArea.Dnssec, FindingSeverity.Warning, CheckCodes.DnssecNoDs,
                $"the zone {zone} is signed, but its parent has no DS record for it, so no receiver can validate it: copy the DNSSEC key data (DS) from your DNS host and submit it at your registrar")
                { Subject = domain, Observed = Observed(own), Expected = "secure" },
            DnssecStatus.Insecure => new CheckFinding(CheckArea.Dnssec, FindingSeverity.Warning, CheckCodes.DnssecUnsigned,
                $"the zone {zone} is not signed: receivers cannot tell forged SPF, DKIM and DMARC answers from real ones. Enable DNSSEC: with the registrar's name servers it is one setting at the registrar; with other name servers, enable signing there and submit the DNSSEC key data (DS) at the registrar")
                { Subject = domain, Observed = Observed(own), Expected = "secure" },
            DnssecStatus.Bogus => new CheckFinding(CheckArea.Dnssec, FindingSeverity.Error, CheckCodes.DnssecBogus,
                $"validation fails for {domain} (zone {zone}){Why(own)}: receivers treat the records as unavailable, so SPF, DKIM and DMARC fail. Fix the signatures at your DNS host (expired or made with a key the DS does not match), or remove the DS at the registrar")
                { Subject = domain, Observed = Observed(own), Expected = "secure" },
            _ => Unknown(domain, own),
        });
        foreach (var selector in profile.AllSelectors())
        {
            var target = profile.SelectorTarget(selector, code, domain);
            var r = await probe.ProbeAsync(target, DnsRecordType.Txt, ct).ConfigureAwait(false);
            var provider = r.ZoneApex ?? DnsName.Normalize(profile.DkimZone);
            findings.Add(r.Status switch
            {
                DnssecStatus.Secure => new CheckFinding(CheckArea.Dnssec, FindingSeverity.Info, "dnssec-provider-zone-secure",
                    $"the DKIM key at {target} is in a signed zone ({provider}) that validates")
                    { Subject = target, Observed = Observed(r) },
                DnssecStatus.Insecure => new CheckFinding(CheckArea.Dnssec, FindingSeverity.Warning, "dnssec-provider-zone-unsigned",
                    $"the DKIM key at {target} is in a zone that does not validate ({provider}, {(r.ZoneSigned ? "signed without a DS in its parent" : "unsigned")}): the chain is not secure end to end. This is on the provider's side")
                    { Subject = target, Observed = Observed(r), Expected = "secure" },
                DnssecStatus.Bogus => new CheckFinding(CheckArea.Dnssec, FindingSeverity.Error, "dnssec-provider-zone-bogus",
                    $"validation fails for the DKIM key at {target} (zone {provider}){Why(r)}: receivers cannot fetch the key, so DKIM fails. This is on the provider's side")
                    { Subject = target, Observed = Observed(r), Expected = "secure" },
                _ => Unknown(target, r),
            });
        }
    }

    /// <summary>The validator's own words for a bogus answer (none from a validating resolver).</summary>
    private static string Why(DnssecResult r) => r.Detail is { } d && r.Status == DnssecStatus.Bogus ? $": {d}" : string.Empty;

    private static string Observed(DnssecResult r) =>
        r.Status.Token()
        + (r.Reason is { } reason && r.Status == DnssecStatus.Bogus ? $" {reason}" : string.Empty)
        + (r.ZoneApex is null ? string.Empty : $" (zone {r.ZoneApex}{(r.Status == DnssecStatus.Insecure ? r.Reason == "unsupported-algorithm" ? ", signed with an algorithm not validated" : r.ZoneSigned ? ", signed, no DS" : ", unsigned" : string.Empty)})");

    private static CheckFinding Unknown(string name, DnssecResult r) =>
        new(CheckArea.Dnssec, FindingSeverity.Error, "dnssec-unknown",
            $"DNSSEC could not be checked for {name}: {r.Detail ?? "the resolver did not answer"}; check again")
        { Subject = name, Observed = r.Detail, Temporary = true };
}
