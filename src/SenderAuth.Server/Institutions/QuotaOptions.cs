using System.ComponentModel.DataAnnotations;

namespace SenderAuth.Server.Institutions;

/// <summary>
/// What one institution may hold or use of the shared platform ("SenderAuth:Quotas"), so that one tenant (or one
/// leaked key) cannot exhaust it for the others. A hit is a 409 (or 429 for rates) naming the setting and its value.
/// The per-key request rate is <see cref="ApiLimits.RequestsPerSecond"/>.
/// </summary>
public sealed class QuotaOptions
{
    public const string Section = "SenderAuth:Quotas";

    /// <summary>Sender domains one institution may register; default 100, 1 to 100000.</summary>
    [Range(1, 100_000)]
    public int MaxDomainsPerInstitution { get; set; } = 100;

    /// <summary>Webhooks one institution may register (operators' all-institution webhooks do not count); default 10, 1 to 1000.</summary>
    [Range(1, 1000)]
    public int MaxWebhooksPerInstitution { get; set; } = 10;

    /// <summary>
    /// Webhook deliveries of one institution in flight at once; default 2. Less than
    /// <see cref="Webhooks.NotificationOptions.Parallelism"/>, so a tenant whose receivers hang leaves room for the others.
    /// </summary>
    public int WebhookDeliveriesInFlightPerInstitution { get; set; } = 2;

    /// <summary>
    /// Undelivered webhook deliveries one institution may have queued; default 1000, 10 to 1000000. A test event over
    /// it is a 409; real events are enqueued and the oldest over it dropped with a warning (<see cref="Webhooks.WebhookBacklog"/>).
    /// </summary>
    [Range(10, 1_000_000)]
    public int MaxQueuedDeliveriesPerInstitution { get; set; } = 1000;

    /// <summary>Smallest RSA key imported or generated, in bits; default 1024 (RFC 8301's floor), at least 1024.</summary>
    public int MinRsaBits { get; set; } = 1024;

    /// <summary>
    /// Largest RSA key imported or generated, in bits; default 4096, at most 8192. Signing cost grows with the cube
    /// of the size: a 16384-bit key costs every signature about a hundred times a 2048-bit one, on the shared signer.
    /// </summary>
    public int MaxRsaBits { get; set; } = 4096;

    /// <summary>The rules within this section (its ranges are [Range] attributes, checked by OptionRangeValidator).</summary>
    internal IEnumerable<string> Problems()
    {
        if (!RsaBoundsValid)
        {
            yield return $"{Section}: MinRsaBits ({MinRsaBits}) and MaxRsaBits ({MaxRsaBits}) must satisfy 1024 <= MinRsaBits <= MaxRsaBits <= 8192";
        }
    }

    /// <summary>The rules between this section and two others: webhook delivery's parallelism and the provider's key size.</summary>
    internal IEnumerable<string> Problems(int notificationParallelism, int providerRsaBits)
    {
        if (WebhookDeliveriesInFlightPerInstitution < 1 || WebhookDeliveriesInFlightPerInstitution >= notificationParallelism)
        {
            yield return $"{Section}:WebhookDeliveriesInFlightPerInstitution is {WebhookDeliveriesInFlightPerInstitution}: use 1 to less than "
                + $"SenderAuth:Notifications:Parallelism ({notificationParallelism}), so one institution's slow receivers leave room for the others";
        }
        // Bounds that are themselves wrong are reported by Problems() alone.
        if (RsaBoundsValid && (providerRsaBits < MinRsaBits || providerRsaBits > MaxRsaBits))
        {
            yield return $"SenderAuth:Provider:RsaBits ({providerRsaBits}) must be within {Section}:MinRsaBits..MaxRsaBits ({MinRsaBits}..{MaxRsaBits}): generated keys obey the same limit as imported ones";
        }
    }

    private bool RsaBoundsValid => MinRsaBits >= 1024 && MaxRsaBits <= 8192 && MinRsaBits <= MaxRsaBits;

    /// <summary>Why an RSA key of this size is refused, or null when it is within the limits.</summary>
    public string? RsaSizeProblem(int bits) =>
        bits < MinRsaBits ? $"the RSA key has {bits} bits; at least {MinRsaBits} are required (RFC 8301; {Section}:MinRsaBits = {MinRsaBits})"
        : bits > MaxRsaBits ? $"the RSA key has {bits} bits; at most {MaxRsaBits} are accepted ({Section}:MaxRsaBits = {MaxRsaBits}): larger keys make every signature far slower for no gain"
        : null;
}
