using System.CommandLine;
using SenderAuth.Dns;
using SenderAuth.Dns.DnsSec;

namespace SenderAuth.Cli;

/// <summary>How the check judges DNSSEC (<c>--dnssec</c>).</summary>
internal enum DnssecMode
{
    /// <summary>Our own validation from the trust anchor.</summary>
    Validate,
    /// <summary>The resolver's AD bit.</summary>
    Resolver,
    /// <summary>Not checked.</summary>
    Off,
}

/// <summary>The check's DNSSEC options: how DNSSEC is judged (<c>--dnssec</c>) and from which anchor (<c>--trust-anchor</c>).</summary>
internal sealed class CliDnssec
{
    public Option<DnssecMode> Mode { get; } = new("--dnssec")
    {
        Description = "How DNSSEC is judged: validate (our own validation from the trust anchor, the default), "
            + "resolver (trust the resolver's AD bit; it must validate), off (skip).",
        DefaultValueFactory = _ => DnssecMode.Validate,
    };

    public Option<FileInfo?> TrustAnchor { get; } = new("--trust-anchor")
    {
        Description = "DS or DNSKEY records in zone-file syntax (unbound's trust-anchor-file format) to validate from; "
            + "default: the root's anchors (KSK-2017 and KSK-2024).",
    };

    // The enum from exactly these words: enum parsing alone would also take a number. Literal, not
    // SenderAuthJson.Tokens<T>(): that reads the reflection-based contract, which the Native AOT engine CLI cannot.
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
        if (file is not null && mode != DnssecMode.Validate)
        {
            throw new UsageException($"--trust-anchor is used by --dnssec validate, not --dnssec {(mode == DnssecMode.Off ? "off" : "resolver")}");
        }
        if (mode == DnssecMode.Off || parse.GetValue(resolver.Zone) is not null)
        {
            return null;
        }
        var options = resolver.NetworkOptions(parse);
        if (mode == DnssecMode.Resolver)
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
