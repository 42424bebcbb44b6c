using SenderAuth.Dkim;
using SenderAuth.Dns;
using SenderAuth.Mail;

namespace SenderAuth.Fuzz;

/// <summary>
/// Whole messages through the DKIM verifier: header selection, relaxed and simple canonicalization, body hashing and
/// signature checks (RFC 6376 §3.4, §3.7, §6.1), against published keys that never change.
/// </summary>
internal static class DkimVerifyTargets
{
    // The published keys of RFC 6376 A.3 (brisbane._domainkey.example.com) and RFC 8463 A.2 (brisbane and test under
    // football.example.com), so the seeds fuzz/corpus/dkim-verify/rfc*.eml verify and mutations reach the hash and
    // signature comparisons instead of stopping at a missing key.
    // Built on first use, not in a static initializer: FuzzTargets.All is read before SharpFuzz maps AFL++'s coverage
    // memory, and instrumented engine code run that early writes to unmapped memory (AccessViolationException).
    private static readonly Lazy<DkimVerifier> Lazy = new(() => new DkimVerifier(new ZoneDnsResolver(Zone())));

    /// <summary>The target's verifier; FuzzReplayTests checks that the RFC seeds pass through it.</summary>
    internal static DkimVerifier Verifier => Lazy.Value;

    /// <summary>
    /// <see cref="MailMessage.Parse"/> (an unreadable header section is a <see cref="MessageFormatException"/>), then
    /// <see cref="DkimVerifier.VerifyAsync(MailMessage, CancellationToken)"/>, which reports every failure as an outcome
    /// and throws nothing. Checked too: one outcome per DKIM-Signature field up to the verifier's limit, and never a
    /// pass for a signature over a field that an ambiguous header line touches (docs/security.md, issue 19).
    /// </summary>
    public static FuzzTarget Verify { get; } = new("dkim-verify", input =>
    {
        var message = MailMessage.Parse(input);
        // ZoneDnsResolver answers synchronously, so this completes at once and runs on the calling thread.
        var verification = Verifier.VerifyAsync(message).GetAwaiter().GetResult();
        var fields = message.All("DKIM-Signature").Count();
        var limit = new DkimVerifierOptions().MaxSignatures;
        if (verification.Signatures.Count != Math.Min(fields, limit) + (fields > limit ? 1 : 0))
        {
            throw new InvalidOperationException($"{verification.Signatures.Count} outcomes for {fields} DKIM-Signature fields");
        }
        foreach (var s in verification.Signatures)
        {
            if (s.Result == DkimResult.Pass && s.Ambiguity is not null)
            {
                throw new InvalidOperationException($"a signature passed over an ambiguous header: {s.Ambiguity.Describe()}");
            }
        }
    }, [typeof(MessageFormatException)], FuzzBudget.Text);

    private static DnsZone Zone()
    {
        const string rfc6376 = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB";
        const string rfc8463Rsa = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB";
        const string rfc8463Ed25519 = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
        var zone = new DnsZone();
        zone.Add(new TxtRecord("brisbane._domainkey.example.com", 300, DkimKeyRecord.TxtStrings($"v=DKIM1; k=rsa; p={rfc6376}")));
        zone.Add(new TxtRecord("test._domainkey.football.example.com", 300, DkimKeyRecord.TxtStrings($"v=DKIM1; k=rsa; p={rfc8463Rsa}")));
        zone.Add(new TxtRecord("brisbane._domainkey.football.example.com", 300, DkimKeyRecord.TxtStrings($"v=DKIM1; k=ed25519; p={rfc8463Ed25519}")));
        return zone;
    }
}
