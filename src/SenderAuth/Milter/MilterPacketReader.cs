using System.Buffers;
using System.Buffers.Binary;

namespace SenderAuth.Milter;

/// <summary>
/// Reads milter packets from a stream, buffered (several small packets per read call), within
/// <see cref="MilterLimits"/>: a length below 1 or above the limit, a packet cut short, silence beyond the idle
/// timeout or a packet slower than the packet timeout each end the connection with a precise error.
/// </summary>
internal sealed class MilterPacketReader : IDisposable
{
    private readonly Stream _stream;
    private readonly MilterLimits _limits;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _disposed;

    public MilterPacketReader(Stream stream, MilterLimits limits)
    {
        _stream = stream ?? throw new ArgumentNullException(nameof(stream));
        _limits = limits ?? throw new ArgumentNullException(nameof(limits));
        _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
    }

    /// <summary>The next packet, or null when the peer closed the connection between packets.</summary>
    /// <exception cref="MilterProtocolException">Malformed, oversize, truncated, or too slow.</exception>
    public async ValueTask<MilterPacket?> ReadAsync(CancellationToken ct)
    {
        if (!await FillAsync(MilterProtocol.LengthBytes + 1, ct).ConfigureAwait(false))
        {
            if (_end == _start)
            {
                return null;
            }
            throw new MilterProtocolException("truncated", $"the connection closed inside a packet's length ({_end - _start} of 5 bytes)");
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start));
        if (length == 0)
        {
            throw new MilterProtocolException("malformed", "a packet of length 0 (every packet holds at least its command byte)");
        }
        if (length > (uint)_limits.MaxPacketBytes)
        {
            throw new MilterProtocolException("oversize", $"a packet of {length} bytes; the limit is {_limits.MaxPacketBytes} (Milter:MaxPacketBytes)");
        }
        var total = MilterProtocol.LengthBytes + (int)length;
        if (!await FillAsync(total, ct).ConfigureAwait(false))
        {
            throw new MilterProtocolException("truncated", $"the connection closed inside a packet: {_end - _start - MilterProtocol.LengthBytes} of {length} bytes arrived");
        }
        var command = (MilterCommand)_buffer[_start + MilterProtocol.LengthBytes];
        var data = new ReadOnlyMemory<byte>(_buffer, _start + MilterProtocol.LengthBytes + 1, (int)length - 1);
        _start += total;
        return new MilterPacket(command, data);
    }

    /// <summary>Makes at least <paramref name="count"/> bytes available; false at end of stream first.</summary>
    private async ValueTask<bool> FillAsync(int count, CancellationToken ct)
    {
        if (_end - _start >= count)
        {
            return true;
        }
        if (_buffer.Length - _start < count)
        {
            var bigger = _buffer.Length >= count ? _buffer : ArrayPool<byte>.Shared.Rent(count);
            Buffer.BlockCopy(_buffer, _start, bigger, 0, _end - _start);
            if (!ReferenceEquals(bigger, _buffer))
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }
            _end -= _start;
            _start = 0;
        }
        // Idle between packets (nothing buffered yet), then a shorter bound once a packet has begun.
        var idle = _end == _start;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(idle ? _limits.IdleTimeout : _limits.PacketTimeout);
        while (_end - _start < count)
        {
            int read;
            try
            {
                read = await _stream.ReadAsync(_buffer.AsMemory(_end), timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw idle && _end == _start
                    ? new MilterProtocolException("timeout", $"no packet for {_limits.IdleTimeout.TotalSeconds:0} s (Milter:IdleTimeoutSeconds)")
                    : new MilterProtocolException("timeout", $"a packet did not arrive whole within {_limits.PacketTimeout.TotalSeconds:0} s (Milter:PacketTimeoutSeconds)");
            }
            catch (IOException e)
            {
                throw new MilterProtocolException("truncated", $"the connection failed: {e.Message}");
            }
            if (read == 0)
            {
                return false;
            }
            if (idle && _end == _start)
            {
                idle = false;
                timeout.CancelAfter(_limits.PacketTimeout);
            }
            _end += read;
        }
        return true;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        ArrayPool<byte>.Shared.Return(_buffer);
    }
}
