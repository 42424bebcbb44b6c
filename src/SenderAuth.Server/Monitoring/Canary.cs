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
    /// <summary>Null when every signature of the canary passes (or the domain does not sign); otherwise why one failed.</summary>
    public Task<string?> FailureAsync(string domain, CancellationToken ct) => FailureAsync(domain, null, ct);

    /// <summary>
    /// Null when the canary's signatures of <paramref name="pair"/> pass (null: every signature); otherwise why one
    /// failed. Judged per pair because the RSA and Ed25519 pairs rotate independently: an Ed25519 failure must not
    /// roll an RSA rotation back (an emergency one back to a compromised key), nor the reverse.
    /// </summary>
    public async Task<string?> FailureAsync(string domain, DkimKeyType? pair, CancellationToken ct)
    {
        var signed = await signing.CanaryAsync(domain, ct).ConfigureAwait(false);
        if (signed is null)
        {
            return null;
        }
        var outcome = await new DkimVerifier(dns, timeProvider: time).VerifyAsync(signed, ct).ConfigureAwait(false);
        // Without a pair every signature must pass: a receiver that checks only the Ed25519 one must not see a failure
        // the RSA one hides. A signature whose a= could not be read belongs to no pair, so it counts for both.
        var judged = outcome.Signatures.Where(s => pair is null || s.Algorithm is null || PairOf(s.Algorithm.Value) == pair).ToList();
        if (judged.Count == 0 && pair == DkimKeyType.Ed25519)
        {
            // The domain signs without Ed25519 now (pending, off): nothing of that pair to fail.
            return null;
        }
        var signature = judged.FirstOrDefault(s => s.Result != DkimResult.Pass) ?? judged.FirstOrDefault();
        return signature?.Result == DkimResult.Pass
            ? null
            : $"canary for {domain}: DKIM {(signature is null ? "none" : SenderAuthJson.Token(signature.Result))} ({signature?.Detail ?? "no signature"})";
    }

    private static DkimKeyType PairOf(DkimAlgorithm algorithm) => algorithm == DkimAlgorithm.Ed25519Sha256 ? DkimKeyType.Ed25519 : DkimKeyType.Rsa;
}
