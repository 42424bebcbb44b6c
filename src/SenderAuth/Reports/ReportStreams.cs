namespace SenderAuth.Reports;

/// <summary>Decompressed bytes of one input, shared by all its layers and entries.</summary>
internal sealed class ReadBudget(DmarcReportLimits limits)
{
    public DmarcReportLimits Limits { get; } = limits;

    public long Used { get; private set; }

    public void Take(long bytes, string source)
    {
        Used += bytes;
        if (Used > Limits.MaxDecompressedBytes)
        {
            throw new DmarcReportException(DmarcReportErrorKind.LimitExceeded, source, 0, 0,
                $"more than {Limits.MaxDecompressedBytes:N0} bytes after decompression (limit MaxDecompressedBytes)");
        }
    }
}

/// <summary>
/// Read-only pass-through that charges every byte to the <see cref="ReadBudget"/> and, for a decompressing layer,
/// checks the ratio against the compressed bytes consumed so far. Throws as soon as a limit is crossed, so a
/// bomb costs at most one buffer beyond the limit.
/// </summary>
internal sealed class LimitedStream(Stream inner, ReadBudget budget, string source, Func<long>? compressedBytes) : ReadOnlyStream
{
    private long _produced;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        Charge(n);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Charge(n);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Charge(int n)
    {
        if (n <= 0)
        {
            return;
        }
        _produced += n;
        budget.Take(n, source);
        if (compressedBytes is not null && _produced > budget.Limits.RatioGraceBytes)
        {
            var compressed = Math.Max(1, compressedBytes());
            if (_produced > compressed * budget.Limits.MaxCompressionRatio)
            {
                throw new DmarcReportException(DmarcReportErrorKind.LimitExceeded, source, 0, 0,
                    $"compression ratio above {budget.Limits.MaxCompressionRatio}:1 ({_produced:N0} bytes from {compressed:N0}; limit MaxCompressionRatio)");
            }
        }
    }

    public override long Position { get => _produced; set => throw new NotSupportedException(); }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>Counts the compressed bytes a decompressor has pulled from its source.</summary>
internal sealed class CountingStream(Stream inner, bool leaveOpen) : ReadOnlyStream
{
    public long Count { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        Count += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Count += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Position { get => Count; set => throw new NotSupportedException(); }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !leaveOpen)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>A stream whose first bytes were already read for sniffing: replays them, then the rest.</summary>
internal sealed class PrefixedStream(byte[] prefix, int prefixLength, Stream inner) : ReadOnlyStream
{
    private int _offset;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_offset < prefixLength)
        {
            var n = Math.Min(buffer.Length, prefixLength - _offset);
            prefix.AsSpan(_offset, n).CopyTo(buffer);
            _offset += n;
            return n;
        }
        return inner.Read(buffer);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _offset < prefixLength ? ValueTask.FromResult(Read(buffer.Span)) : inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();


    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>What every read-only, forward-only wrapper here says about itself.</summary>
internal abstract class ReadOnlyStream : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
