using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SenderAuth.Server.Metrics;

/// <summary>
/// The "SenderAuth:Metrics" section: the Prometheus scrape endpoint <c>/metrics</c> and the bounds on what it exports.
/// OTLP push is configured apart, by OpenTelemetry's own <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.
/// </summary>
public sealed class MetricsOptions
{
    public const string Section = "SenderAuth:Metrics";

    /// <summary>Serve the metrics at GET /metrics in Prometheus' text format. Default on.</summary>
    public bool Prometheus { get; set; } = true;

    /// <summary>
    /// Client networks (CIDR, or one address) allowed to read /metrics, without an API key; any other client gets 403.
    /// Default, when none are configured: loopback only (127.0.0.0/8, ::1). Behind a reverse proxy named in
    /// SenderAuth:Proxies, the forwarded client address is the one judged.
    /// </summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>
    /// Distinct institutions that get their own value of the <c>institution</c> label; the ones seen after these are
    /// counted as <c>_other</c>, so the number of series stays bounded whatever the number of tenants. 0: every
    /// message is labelled <c>_other</c>.
    /// </summary>
    [Range(0, 10_000)]
    public int MaxInstitutionLabels { get; set; } = InstitutionLabels.DefaultMax;

    /// <summary>How often the queue and state gauges are read from the database (seconds).</summary>
    [Range(1d, 3600d)]
    public double SampleSeconds { get; set; } = 15;

    /// <summary>Fills the list left empty (the binder would append configured networks to defaults set in the initializer).</summary>
    public void ApplyDefaults()
    {
        if (AllowedNetworks.Count == 0)
        {
            AllowedNetworks.AddRange(["127.0.0.0/8", "::1"]);
        }
    }

    internal IEnumerable<string> Problems()
    {
        NetworkList.Parse(AllowedNetworks, out var invalid);
        foreach (var text in invalid)
        {
            yield return $"{Section}:AllowedNetworks: \"{text}\" is not an address or a network in CIDR form (e.g. 10.0.0.0/24)";
        }
    }
}

/// <summary>The metrics settings, checked at start (their ranges by OptionRangeValidator, from the attributes).</summary>
public sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SectionProblems.Result(options.Problems());
    }
}
