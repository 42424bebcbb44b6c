using System.CommandLine;
using SenderAuth.Dns;
using SenderAuth.Dns.DnsSec;

namespace SenderAuth.Cli;

/// <summary>The check's DNSSEC options: how DNSSEC is judged (<c>--dnssec</c>) and from which anchor (<c>--trust-anchor</c>).</summary>
internal sealed class CliDnssec
{
    public Option<string> Mode { get; } = new("--dnssec")
    {
        Description = "How DNSSEC is judged: validate (our own validation from the trust anchor, the default), "
            + "resolver (trust the resolver's AD bit; it must validate), off (skip).",
        DefaultValueFactory = _ => "validate",
    };

    public Option<FileInfo?> TrustAnchor { get; } = new("--trust-anchor")
    {
        Description = "DS or DNSKEY records in zone-file syntax (unbound's trust-anchor-file format) to validate from; "
            + "default: the root's anchors (KSK-2017 and KSK-2024).",
    };

    public CliDnssec() => Mode.AcceptOnlyFromAmong("validate", "resolver", "off");

    public void AddTo(Command command)
    {
        command.Options.Add(Mode);
        command.Options.Add(TrustAnchor);
    }

    /// <summary>The probe for the check; null with --zone (a zone file says nothing about DNSSEC) or --dnssec off.</summary>
    public IDnssecProbe? Create(ParseResult parse, CliResolver resolver)
    {
        var mode = parse.GetValue(Mode);
        var file = parse.GetValue(TrustAnchor);
        if (file is not null && mode != "validate")
        {
            throw new UsageException($"--trust-anchor is used by --dnssec validate, not --dnssec {mode}");
        }
        if (mode == "off" || parse.GetValue(resolver.Zone) is not null)
        {
            return null;
        }
        var options = resolver.NetworkOptions(parse);
        if (mode == "resolver")
        {
            return new NetworkDnssecProbe(options);
        }
        var anchors = TrustAnchors.Root;
        if (file is not null)
        {
            if (!file.Exists)
            {
                throw new UsageException($"trust anchor file not found: {file.FullName}");
            }
            try
            {
                anchors = TrustAnchors.Load(file.FullName);
            }
            catch (ZoneFileException e)
            {
                throw new UsageException($"--trust-anchor {e.Message}");
            }
        }
        return new ValidatingDnssecProbe(new DnssecValidator(anchors, options));
    }
}
