using SenderAuth.Json;
using SenderAuth.Dkim;
using SenderAuth.Dns;

namespace SenderAuth.Server.Monitoring;

/// <summary>
/// Signs a message with the domain's active key (keys: RSA, and Ed25519 when it has one) and verifies it as a receiver would: over DNS, through the
/// institution's CNAME. Run after every rotation step and state change, so a broken key shows here first.
/// </summary>
public sealed class Canary(SigningService signing, IDnsResolver dns, TimeProvider time)
{
    /// <summary>Null when the canary passes (or the domain does not sign); otherwise why it failed.</summary>
    public async Task<string?> FailureAsync(string domain, CancellationToken ct)
    {
        var signed = await signing.CanaryAsync(domain, ct).ConfigureAwait(false);
        if (signed is null)
        {
            return null;
        }
        var outcome = await new DkimVerifier(dns, timeProvider: time).VerifyAsync(signed, ct).ConfigureAwait(false);
        // Every signature must pass: a domain that signs with Ed25519 too gets two, and a receiver that checks only
        // the Ed25519 one must not see a failure the RSA one hides.
        var signature = outcome.Signatures.FirstOrDefault(s => s.Result != DkimResult.Pass) ?? outcome.Signatures.FirstOrDefault();
        return signature?.Result == DkimResult.Pass
            ? null
            : $"canary for {domain}: DKIM {(signature is null ? "none" : SenderAuthJson.Token(signature.Result))} ({signature?.Detail ?? "no signature"})";
    }
}
