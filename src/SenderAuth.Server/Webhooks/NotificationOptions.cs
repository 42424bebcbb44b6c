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
    public double IntervalSeconds { get; set; } = 5;

    /// <summary>How long one POST may take before it counts as a failed attempt.</summary>
    public double TimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// How long a claimed delivery belongs to the instance that claimed it. Longer than the timeout, so a slow
    /// receiver is not sent the same delivery by a second instance; a crashed instance's claims expire after it.
    /// </summary>
    public double LeaseSeconds { get; set; } = 60;

    /// <summary>Attempts before a delivery is given up (the first one included).</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The wait after the 1st, 2nd, … failed attempt; the last one repeats. Default 1 min, 5 min, 30 min, 2 h, 6 h.</summary>
    public List<TimeSpan> RetryDelays { get; set; } = [];

    /// <summary>Each wait is stretched or shrunk by up to this fraction at random, so a receiver back from an outage is not hit by every retry at once.</summary>
    public double Jitter { get; set; } = 0.1;

    /// <summary>Deliveries one pass claims at most.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// POSTs in flight at once per instance, all institutions together; default 16. Each institution has at most
    /// SenderAuth:Quotas:WebhookDeliveriesInFlightPerInstitution of them, so slow receivers of one leave the rest to others.
    /// </summary>
    public int Parallelism { get; set; } = 16;

    /// <summary>POSTs in flight at once to one webhook; default 2: a receiver is not flooded, and one that hangs holds only this many.</summary>
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
        if (IntervalSeconds is < 0.05 or > 3600)
        {
            errors.Add($"{at}:IntervalSeconds must be between 0.05 and 3600");
        }
        if (TimeoutSeconds is <= 0 or > 300)
        {
            errors.Add($"{at}:TimeoutSeconds must be in (0, 300]");
        }
        if (LeaseSeconds <= TimeoutSeconds || LeaseSeconds > 86400)
        {
            errors.Add($"{at}:LeaseSeconds must be longer than TimeoutSeconds (else a slow receiver gets the same delivery twice) and at most 86400");
        }
        if (MaxAttempts is < 1 or > 100)
        {
            errors.Add($"{at}:MaxAttempts must be between 1 and 100");
        }
        if (RetryDelays.Any(d => d <= TimeSpan.Zero || d > TimeSpan.FromDays(7)))
        {
            errors.Add($"{at}:RetryDelays must be positive and at most 7 days each (e.g. \"00:01:00\")");
        }
        if (Jitter is < 0 or >= 1)
        {
            errors.Add($"{at}:Jitter must be in [0, 1)");
        }
        if (BatchSize is < 1 or > 10_000 || Parallelism is < 1 or > 256)
        {
            errors.Add($"{at}: BatchSize must be between 1 and 10000, Parallelism between 1 and 256");
        }
        if (InFlightPerEndpoint is < 1 or > 64)
        {
            errors.Add($"{at}:InFlightPerEndpoint is {InFlightPerEndpoint}: use 1 to 64");
        }
        WebhookAddressPolicy.ParseNetworks(AllowedNetworks, out var invalid);
        if (invalid.Count > 0)
        {
            errors.Add($"{at}:AllowedNetworks: {string.Join(", ", invalid.Select(i => $"\"{i}\""))} is not a network in CIDR form (e.g. 10.20.0.0/16 or fd00::/64) or an address");
        }
        return errors;
    }
}
