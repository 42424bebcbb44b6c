using System.ComponentModel.DataAnnotations;

namespace SenderAuth.Server.Webhooks;

/// <summary>Webhook delivery ("SenderAuth:Notifications"): how often, how long, how many times.</summary>
public sealed class NotificationOptions
{
    /// <summary>
    /// Whether this instance sends webhooks. Instances sharing a database split the work through leases, so one
    /// without outbound network can stay out (false) while the others deliver.
    /// </summary>
    public bool SendWebhooks { get; set; } = true;

    /// <summary>How often due deliveries are looked for.</summary>
    [Range(0.05d, 3600d)]
    public double IntervalSeconds { get; set; } = 5;

    /// <summary>How long one POST may take before it counts as a failed attempt.</summary>
    [Range(0d, 300d, MinimumIsExclusive = true)]
    public double TimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// How long a claimed delivery belongs to the instance that claimed it. Longer than the timeout, so a slow
    /// receiver is not sent the same delivery by a second instance; a crashed instance's claims expire after it.
    /// </summary>
    public double LeaseSeconds { get; set; } = 60;

    /// <summary>Attempts before a delivery is given up (the first one included).</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The wait after the 1st, 2nd, … failed attempt; the last one repeats. Default 1 min, 5 min, 30 min, 2 h, 6 h.</summary>
    public List<TimeSpan> RetryDelays { get; set; } = [];

    /// <summary>Each wait is stretched or shrunk by up to this fraction at random, so a receiver back from an outage is not hit by every retry at once.</summary>
    [Range(0d, 1d, MaximumIsExclusive = true)]
    public double Jitter { get; set; } = 0.1;

    /// <summary>Deliveries one pass claims at most.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// POSTs in flight at once per instance, all institutions together; default 16. Each institution has at most
    /// SenderAuth:Quotas:WebhookDeliveriesInFlightPerInstitution of them, so slow receivers of one leave the rest to others.
    /// </summary>
    [Range(1, 256)]
    public int Parallelism { get; set; } = 16;

    /// <summary>POSTs in flight at once to one webhook; default 2: a receiver is not flooded, and one that hangs holds only this many.</summary>
    [Range(1, 64)]
    public int InFlightPerEndpoint { get; set; } = 2;

    /// <summary>
    /// Internal networks (CIDR, e.g. <c>10.20.0.0/16</c>, or one address) webhooks may still be delivered to. Empty
    /// (default): loopback, link-local, private, CGNAT, unique-local, multicast and other non-public addresses are
    /// refused, at registration for a literal address and at every connection after DNS (see WebhookAddressPolicy).
    /// </summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>Fills the list left empty (the binder appends to a list it finds filled, see ProviderOptions).</summary>
    public void ApplyDefaults()
    {
        if (RetryDelays.Count == 0)
        {
            RetryDelays.AddRange([TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(6)]);
        }
    }

    /// <summary>The wait after the given failed attempt (1-based), before jitter.</summary>
    public TimeSpan DelayAfter(int attempt) => RetryDelays[Math.Clamp(attempt - 1, 0, RetryDelays.Count - 1)];

    internal IEnumerable<string> Problems()
    {
        var errors = new List<string>();
        const string at = "SenderAuth:Notifications";
        // IntervalSeconds, TimeoutSeconds, MaxAttempts, Jitter, BatchSize, Parallelism, InFlightPerEndpoint: [Range] (OptionRangeValidator).
        if (LeaseSeconds <= TimeoutSeconds || LeaseSeconds > 86400)
        {
            errors.Add($"{at}:LeaseSeconds must be longer than TimeoutSeconds (else a slow receiver gets the same delivery twice) and at most 86400");
        }
        if (RetryDelays.Any(d => d <= TimeSpan.Zero || d > TimeSpan.FromDays(7)))
        {
            errors.Add($"{at}:RetryDelays must be positive and at most 7 days each (e.g. \"00:01:00\")");
        }
        WebhookAddressPolicy.ParseNetworks(AllowedNetworks, out var invalid);
        if (invalid.Count > 0)
        {
            errors.Add($"{at}:AllowedNetworks: {string.Join(", ", invalid.Select(i => $"\"{i}\""))} is not a network in CIDR form (e.g. 10.20.0.0/16 or fd00::/64) or an address");
        }
        return errors;
    }
}
