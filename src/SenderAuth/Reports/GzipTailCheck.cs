using System.Buffers.Binary;

namespace SenderAuth.Reports;

/// <summary>
/// Tells whether a gzip input ended with its member or carried bytes after it (Mimecast and some MTAs append a
/// line break or padding). .NET's <see cref="System.IO.Compression.GZipStream"/> ignores such bytes without a
/// word; they are still ignored, but with a <c>trailing-bytes-after-gzip</c> warning.
/// </summary>
/// <remarks>
/// The decompressor reads ahead in blocks, so the boundary is not visible from outside. Instead: when the
/// decompressed data ends, the rest of the compressed input is read (linear, and bounded by the input's size,
/// which the caller's limits bound), keeping its last 8 bytes; a gzip member ends with CRC-32 and ISIZE (RFC 1952
/// §2.3.1), so when those last 4 bytes are not the decompressed length mod 2^32, something follows the member.
/// Limit: a file of several concatenated members (legal gzip, rare in reports) gets the warning too; and trailing
/// bytes that happen to end in the right 4 bytes go unnoticed (1 in 4 billion).
/// </remarks>
internal sealed class GzipTailCheck(Stream compressed, string source, DmarcReportWarnings warnings) : ReadOnlyStream
{
    private readonly byte[] _last = new byte[8];
    private long _total;
    private bool _checked;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = compressed.Read(buffer);
        Keep(buffer[..Math.Max(n, 0)]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await compressed.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Keep(buffer.Span[..Math.Max(n, 0)]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            compressed.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>The decompressed side: counts what it yields and checks the tail when it ends.</summary>
    public Stream Watch(Stream decompressed) => new Output(decompressed, this);

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        _total += bytes.Length;
        if (bytes.Length >= 8)
        {
            bytes[^8..].CopyTo(_last);
        }
        else if (bytes.Length > 0)
        {
            _last.AsSpan(bytes.Length).CopyTo(_last);
            bytes.CopyTo(_last.AsSpan(8 - bytes.Length));
        }
    }

    private void Ended(long produced)
    {
        if (_checked)
        {
            return;
        }
        _checked = true;
        var drain = new byte[16 * 1024];
        var before = _total;
        while (Read(drain) > 0)
        {
        }
        var size = BinaryPrimitives.ReadUInt32LittleEndian(_last.AsSpan(4));
        if (_total < 18 || size != (uint)produced)
        {
            warnings.Add(DmarcReportWarningCodes.TrailingBytesAfterGzip,
                $"the gzip data does not end with its member's trailer ({_total - before:N0} bytes read after the decompressed data ended): the bytes after the member are ignored",
                $"{Path.GetFileName(source)}, gzip layer");
        }
    }

    private sealed class Output(Stream inner, GzipTailCheck check) : ReadOnlyStream
    {
        private long _produced;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            After(n, buffer.Length);
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            After(n, buffer.Length);
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private void After(int n, int asked)
        {
            _produced += Math.Max(n, 0);
            if (n == 0 && asked > 0)
            {
                check.Ended(_produced);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
