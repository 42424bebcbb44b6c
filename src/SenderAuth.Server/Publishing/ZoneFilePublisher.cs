using System.Globalization;
using System.Net;
using System.Text;
using ARSoft.Tools.Net.Dns;
using DnsLabels = SenderAuth.Dns.DnsLabels;
using DnsName = SenderAuth.Dns.DnsName;

namespace SenderAuth.Server.Publishing;

/// <summary>
/// Publishes the provider zone as an RFC 1035 master file for another server to load. The file is replaced
/// atomically (a temporary file beside it, flushed to disk, then renamed over it), so a server reloading at any
/// moment reads either the old zone or the new one, whole.
/// </summary>
public sealed class ZoneFilePublisher : IZonePublisher
{
    private readonly ZoneFileOptions _options;
    private readonly SemaphoreSlim _writing = new(1, 1);

    public ZoneFilePublisher(ZoneFileOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    public PublishingMode Kind => PublishingMode.ZoneFile;

    /// <summary>Null: whoever loads the file serves it, and SenderAuth does not know where.</summary>
    public IPEndPoint? AuthoritativeServer => null;

    /// <summary>The file written, as an absolute path.</summary>
    public string FilePath => Path.GetFullPath(_options.Path);

    /// <summary>The zone as this publisher writes it (apex names from its options), e.g. for a download.</summary>
    public string Render(ProviderZone zone) => Render(zone, _options.NsNames, _options.SoaMailbox);

    /// <summary>
    /// The master file: a header comment, <c>$ORIGIN</c>, <c>$TTL</c>, the SOA and NS, then the records in DNSSEC
    /// canonical order (RFC 4034 §6.1, which keeps a name's subdomains together), by type and data within a name,
    /// so that the same zone always gives the same bytes and a change gives a small diff. ASCII only.
    /// </summary>
    public static string Render(ProviderZone zone, IReadOnlyList<string>? nsNames = null, string? soaMailbox = null)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var records = ZoneRecordMapper.ToWire(zone);
        var apex = ZoneApex.For(zone, nsNames, soaMailbox);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"; Provider zone {apex.Origin}, serial {apex.Serial}, written by SenderAuth: change the records there, not here.\n");
        sb.Append(CultureInfo.InvariantCulture, $"$ORIGIN {DnsLabels.ToMasterFile(apex.Origin)}\n");
        sb.Append(CultureInfo.InvariantCulture, $"$TTL {ZoneApex.Ttl}\n");
        sb.Append(CultureInfo.InvariantCulture,
            $"@\t{ZoneApex.Ttl}\tIN\tSOA\t{DnsLabels.ToMasterFile(apex.Mname)} {DnsLabels.ToMasterFile(apex.Rname)} {apex.Serial} {ZoneApex.Refresh} {ZoneApex.Retry} {ZoneApex.Expire} {ZoneApex.Minimum}\n");
        foreach (var ns in apex.NsNames)
        {
            sb.Append(CultureInfo.InvariantCulture, $"@\t{ZoneApex.Ttl}\tIN\tNS\t{DnsLabels.ToMasterFile(ns)}\n");
        }
        var lines = records
            .Select(r => (Name: DnsName.Normalize(r.Name.ToString()), Type: r.RecordType.ToString().ToUpperInvariant(), r.TimeToLive, Data: Data(r)))
            .DistinctBy(l => (l.Name, l.Type, l.Data))
            .OrderBy(l => l.Name, CanonicalNameComparer.Instance)
            .ThenBy(l => l.Type, StringComparer.Ordinal)
            .ThenBy(l => l.Data, StringComparer.Ordinal);
        foreach (var line in lines)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{Relative(line.Name, apex.Origin)}\t{line.TimeToLive}\tIN\t{line.Type}\t{line.Data}\n");
        }
        return sb.ToString();
    }

    public async Task PublishAsync(ProviderZone zone, CancellationToken cancellationToken)
    {
        var text = Render(zone);
        var path = FilePath;
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (File.Exists(path) && await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false) == text)
            {
                return;
            }
            await WriteAtomicallyAsync(path, Encoding.ASCII.GetBytes(text), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ZonePublishException($"cannot write the zone file {path}: {ex.Message}", ex);
        }
        finally
        {
            _writing.Release();
        }
    }

    private static async Task WriteAtomicallyAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        // Same folder, so the rename stays on one file system and is atomic.
        var temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                // fsync before the rename: otherwise a crash can leave the new name pointing at an empty file.
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>The owner relative to the origin, escaped per RFC 1035 §5.1 (DnsLabels) so Knot and BIND read the
    /// same octets back: a label holding a space or a dot is written <c>\032</c> or <c>\.</c>.</summary>
    private static string Relative(string name, string origin)
    {
        if (name == origin)
        {
            return "@";
        }
        var labels = DnsLabels.Labels(name);
        return DnsLabels.ToMasterFile(labels[..^DnsLabels.Labels(origin).Count]);
    }

    private static string Data(DnsRecordBase record) => record switch
    {
        TextRecordBase txt => string.Join(" ", txt.TextParts.Select(TxtPresentation.Quote)),
        CNameRecord c => DnsLabels.ToMasterFile(DnsName.Normalize(c.CanonicalName.ToString())),
        MxRecord m => m.Preference.ToString(CultureInfo.InvariantCulture) + " " + DnsLabels.ToMasterFile(DnsName.Normalize(m.ExchangeDomainName.ToString())),
        AddressRecordBase a => a.Address.ToString(),
        _ => throw new ZonePublishException($"record {record.Name}: type {record.RecordType} cannot be written to a zone file"),
    };

    /// <summary>RFC 4034 §6.1 order: by labels from the right, each compared as lower-case octets.</summary>
    private sealed class CanonicalNameComparer : IComparer<string>
    {
        public static readonly CanonicalNameComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            var a = DnsLabels.Labels(x ?? "");
            var b = DnsLabels.Labels(y ?? "");
            for (int i = a.Count - 1, j = b.Count - 1; i >= 0 && j >= 0; i--, j--)
            {
                var c = a[i].AsSpan().SequenceCompareTo(b[j]);
                if (c != 0)
                {
                    return c;
                }
            }
            return a.Count.CompareTo(b.Count);
        }
    }
}
