using System.Net;
using System.Text.RegularExpressions;
using SenderAuth.AuthenticationResults;
using SenderAuth.Dmarc;
using SenderAuth.Dkim;
using Microsoft.Extensions.Options;
using SenderAuth.Dns;
using SenderAuth.Mail;
using SenderAuth.Spf;

namespace SenderAuth.Store.Reports;

/// <summary>What the mail carrying a report file proves: its SPF, DKIM and DMARC outcomes, and who it was sent to.</summary>
/// <param name="IsMail">The file is a whole message (an .eml, an IMAP message), not a bare report.</param>
/// <param name="Verification">Our engine's verdict on the message; null when it is not mail or could not be read.</param>
/// <param name="Recipients">Delivered-To, X-Original-To, To and Cc addresses, in that order: what routing reads.</param>
/// <param name="Problem">Why the mail was not verified, when it was not.</param>
public sealed record ReportMailEvidence(bool IsMail, MessageVerification? Verification, IReadOnlyList<string> Recipients, string? Problem)
{
    public static readonly ReportMailEvidence NotMail = new(false, null, [], null);

    /// <summary>dkim=, spf=, dmarc= and header.from as one line for the report's provenance detail.</summary>
    public string Summary => Verification is { } v
        ? $"dkim={v.Dkim.Signatures.FirstOrDefault(s => s.Result == DkimResult.Pass)?.Result.Token() ?? v.Dkim.Signatures.FirstOrDefault()?.Result.Token() ?? "none"} "
          + $"spf={v.Spf.Result.Token()} dmarc={v.Dmarc.Result.Token()} header.from={v.Dmarc.AuthorDomain ?? "?"}"
        : Problem ?? "not a mail";

    /// <summary>
    /// Null when the mail proves the report came from a trusted reporter; otherwise why not. It must pass DMARC for a
    /// From domain on <see cref="ReportOptions.TrustedReporters"/> (or below one): passing DMARC proves only that the
    /// sender owns its domain, and anyone can own one. An org_name that is a domain must be in the From domain's
    /// organisational domain, so a trusted reporter's mail cannot vouch for a report naming someone else.
    /// </summary>
    public string? ReporterProblem(string orgName, ReportOptions options, PublicSuffixList suffixes)
    {
        ArgumentNullException.ThrowIfNull(orgName);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(suffixes);
        if (Verification is not { Dmarc: { Result: DmarcResult.Pass, AuthorDomain: { } author } })
        {
            return "the mail did not pass DMARC";
        }
        author = author.Trim().TrimEnd('.').ToLowerInvariant();
        if (!options.IsTrustedReporter(author))
        {
            return $"reporter {author} is not in Reports:TrustedReporters";
        }
        var name = orgName.Trim().TrimEnd('.').ToLowerInvariant();
        if (name.Contains('.', StringComparison.Ordinal) && !name.Contains(' ', StringComparison.Ordinal)
            && suffixes.OrganizationalDomain(name) != suffixes.OrganizationalDomain(author))
        {
            return $"org_name {name} is not in the organisational domain of the mail's sender {author}";
        }
        return null;
    }
}

/// <summary>
/// Verifies the mail a report came in with our own engine (<see cref="MessageVerifier"/>, through the server's
/// resolver). The message was stored by our own mail server, so its topmost Received field (the hop into our
/// MX) gives the connecting client's address and HELO, and Return-Path the MAIL FROM; without them SPF is
/// <c>none</c> and only DKIM can make DMARC pass, which is how every large reporter signs. An uploaded .eml never
/// went through our MX: its Received and Return-Path are the uploader's words, so it is checked by DKIM alone.
/// </summary>
public sealed partial class ReportMailCheck(IDnsResolver resolver, IOptions<StoreOptions> options, TimeProvider time)
{
    /// <summary>Mail larger than this is not verified (reports are small; a bigger one stays unverified).</summary>
    private const long MaxVerifyBytes = 25L << 20;

    private readonly Lazy<MessageVerifier> _verifier = new(() => new MessageVerifier(resolver,
        new MessageVerifierOptions { AuthServId = DnsName.Normalize(options.Value.Provider.Zone) }, time));

    /// <param name="dkimOnly">True for an upload: ignore Received and Return-Path, so DMARC can pass only through aligned DKIM.</param>
    public async Task<ReportMailEvidence> CheckAsync(string path, bool dkimOnly, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(path);
        var info = new FileInfo(path);
        if (!LooksLikeMail(path))
        {
            return ReportMailEvidence.NotMail;
        }
        if (info.Length > MaxVerifyBytes)
        {
            return new ReportMailEvidence(true, null, [], $"not verified: the mail is larger than {MaxVerifyBytes} bytes");
        }
        var raw = await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
        MailMessage message;
        try
        {
            message = MailMessage.Parse(raw);
        }
        catch (MessageFormatException e)
        {
            return new ReportMailEvidence(true, null, [], "not verified: " + e.Message);
        }
        var recipients = new List<string>();
        foreach (var name in (string[])["Delivered-To", "X-Original-To", "To", "Cc"])
        {
            foreach (var field in message.All(name))
            {
                if (MailboxList.Parse(field.Value, out _) is { } list)
                {
                    recipients.AddRange(list.Select(m => m.Address.ToLowerInvariant()));
                }
            }
        }
        var (ip, helo) = dkimOnly ? (null, null) : FirstHop(message);
        // Without the client's address SPF has nothing to check: MAIL FROM and HELO are left out, so it is "none"
        // without DNS queries, and DMARC rests on DKIM alone.
        var mailFrom = ip is null ? null : message.All("Return-Path").FirstOrDefault()?.Value.Trim().Trim('<', '>');
        var verification = await _verifier.Value.VerifyAsync(raw, ip ?? IPAddress.None, mailFrom, ip is null ? null : helo, ct).ConfigureAwait(false);
        return new ReportMailEvidence(true, verification, recipients, null);
    }

    /// <summary>The client address and HELO of the topmost Received field: "from HELO (… [IP]) by …".</summary>
    private static (IPAddress? Ip, string? Helo) FirstHop(MailMessage message)
    {
        if (message.All("Received").FirstOrDefault()?.Value is not { } received)
        {
            return (null, null);
        }
        var by = received.IndexOf(" by ", StringComparison.OrdinalIgnoreCase);
        var fromPart = by < 0 ? received : received[..by];
        var helo = HeloPattern().Match(fromPart) is { Success: true } h ? h.Groups[1].Value : null;
        var ip = IpPattern().Match(fromPart) is { Success: true } m && IPAddress.TryParse(m.Groups[1].Value.Replace("IPv6:", "", StringComparison.OrdinalIgnoreCase), out var a) ? a : null;
        return (ip, helo);
    }

    /// <summary>The same header test as the report parser's sniffing: a field name and ':' at the start.</summary>
    private static bool LooksLikeMail(string path)
    {
        Span<byte> head = stackalloc byte[256];
        int n;
        using (var f = File.OpenRead(path))
        {
            n = f.Read(head);
        }
        var s = head[..n];
        var j = 0;
        while (j < s.Length && s[j] is > 32 and < 127 and not (byte)':')
        {
            j++;
        }
        return j > 0 && j < s.Length && s[j] == (byte)':';
    }

    [GeneratedRegex(@"^\s*from\s+(\S+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HeloPattern();

    [GeneratedRegex(@"\[((?:IPv6:)?[0-9A-Fa-f:.]+)\]", RegexOptions.CultureInvariant)]
    private static partial Regex IpPattern();
}
