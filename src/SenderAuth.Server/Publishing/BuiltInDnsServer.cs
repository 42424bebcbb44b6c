using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SenderAuth.Server.Publishing;

/// <summary>
/// SenderAuth's own authoritative server for the provider zone, over UDP and TCP on one endpoint (ARSoft.Tools.Net
/// does the transport, EDNS truncation and TCP framing). <see cref="PublishAsync"/> replaces the served zone in one
/// reference swap: a query sees either the old zone or the new one, never a mix, and never waits for a lock.
/// </summary>
public sealed partial class BuiltInDnsServer : IZonePublisher, IAsyncDisposable
{
    private const int TransportTimeoutMs = 5000;

    // RFC 7766 §6.2.3 asks servers to close idle TCP connections after a few seconds.
    private const int TcpIdleMs = 10_000;

    private readonly BuiltInDnsOptions _options;
    private readonly ILogger _logger;
    private readonly DnsRateLimiter? _limiter;
    private readonly DnsWarningThrottle _warnings;

    // UDP sources whose next answer goes out truncated (the limiter chose "slip" when the packet arrived, before
    // ARSoft parsed it); consumed by that packet's query. Bounded: cleared if malformed packets leave too many behind.
    // Not the shared BoundedParseCache: these are counters taken by compare-and-swap (TakeSlip), not kept values.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<IPEndPoint, int> _slips = new();
    private const int MaxPendingSlips = 10_000;
    private readonly Lock _lifecycle = new();
    private ZoneSnapshot? _snapshot;
    private Listener? _listener;
    private IPEndPoint? _localEndpoint;

    public BuiltInDnsServer(BuiltInDnsOptions options, ILogger<BuiltInDnsServer>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _limiter = options.RateLimit.Enabled ? new DnsRateLimiter(options.RateLimit, time) : null;
        _warnings = new DnsWarningThrottle(_logger, TimeSpan.FromSeconds(options.RateLimit.WarningIntervalSeconds), _limiter, time);
    }

    public PublishingMode Kind => PublishingMode.BuiltIn;

    /// <summary>
    /// Where to ask the server once it is started: the bound endpoint, with a wildcard address replaced by loopback
    /// (this process's own checks run on the same host). Null while stopped.
    /// </summary>
    public IPEndPoint? AuthoritativeServer
    {
        get
        {
            var local = _localEndpoint;
            if (local is null)
            {
                return null;
            }
            if (local.Address.Equals(IPAddress.Any))
            {
                return new IPEndPoint(IPAddress.Loopback, local.Port);
            }
            return local.Address.Equals(IPAddress.IPv6Any) ? new IPEndPoint(IPAddress.IPv6Loopback, local.Port) : local;
        }
    }

    /// <summary>The endpoint the sockets are bound to (the real port when <see cref="BuiltInDnsOptions.Listen"/> asked for 0); null while stopped.</summary>
    public IPEndPoint? LocalEndpoint => _localEndpoint;

    /// <summary>The serial of the zone being served; null before the first publish.</summary>
    public uint? ServedSerial => Volatile.Read(ref _snapshot)?.Serial;

    public Task PublishAsync(ProviderZone zone, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(zone);
        cancellationToken.ThrowIfCancellationRequested();
        var snapshot = ZoneSnapshot.Build(zone, _options.NsNames, _options.SoaMailbox);
        Volatile.Write(ref _snapshot, snapshot);
        return Task.CompletedTask;
    }

    /// <summary>Binds UDP and TCP and starts answering. Throws <see cref="SocketException"/> when the endpoint is taken.</summary>
    public void Start()
    {
        lock (_lifecycle)
        {
            if (_listener is not null)
            {
                throw new InvalidOperationException("the built-in DNS server is already started");
            }
            _listener = Bind(_options.Listen);
            _localEndpoint = _listener.Endpoint;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Start();
        return Task.CompletedTask;
    }

    /// <summary>Closes the sockets; the zone is kept, so <see cref="Start"/> serves it again.</summary>
    public void Stop()
    {
        lock (_lifecycle)
        {
            var listener = _listener;
            _listener = null;
            _localEndpoint = null;
            if (listener is not null)
            {
                listener.Server.QueryReceived -= OnQueryReceived;
                listener.Server.ExceptionThrown -= OnExceptionThrown;
                listener.Server.ClientConnected -= OnClientConnected;
                try
                {
                    listener.Server.Stop();
                }
                catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OperationCanceledException))
                {
                    // ARSoft starts its accept loops with the stop token: stopping before one ran reports it as
                    // cancelled, and skips closing the sockets, which the lines below do.
                }
                listener.Udp.Dispose();
                listener.Tcp.Dispose();
            }
        }
    }

    public Task StopAsync()
    {
        Stop();
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        _warnings.Flush();
        _warnings.Dispose();
        return ValueTask.CompletedTask;
    }

    private Listener Bind(IPEndPoint requested)
    {
        // ARSoft's transports create their sockets privately and do not report the port they got, so port 0 is
        // resolved here to a port free on both protocols; a race with another process is retried on a new port.
        for (var attempt = 1; ; attempt++)
        {
            var endpoint = requested.Port != 0 ? requested : new IPEndPoint(requested.Address, FreePort(requested.Address));
            var udp = new UdpServerTransport(endpoint, TransportTimeoutMs);
            var tcp = new TcpServerTransport(endpoint, TransportTimeoutMs, TcpIdleMs);
            var server = new DnsServer(udp, tcp);
            server.QueryReceived += OnQueryReceived;
            server.ExceptionThrown += OnExceptionThrown;
            server.ClientConnected += OnClientConnected;
            try
            {
                server.Start();
                LogListening(_logger, endpoint);
                return new Listener(server, udp, tcp, endpoint);
            }
            catch (SocketException ex) when (requested.Port == 0 && attempt < 5 && ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                udp.Dispose();
                tcp.Dispose();
            }
            catch
            {
                udp.Dispose();
                tcp.Dispose();
                throw;
            }
        }
    }

    private static int FreePort(IPAddress address)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var tcp = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(address, 0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            using var udp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                udp.Bind(new IPEndPoint(address, port));
                return port;
            }
            catch (SocketException) when (attempt < 50)
            {
                // Taken for UDP only: try another.
            }
        }
    }

    /// <summary>Raised for every UDP packet before it is parsed (and for every TCP connection): where RRL decides.</summary>
    private Task OnClientConnected(object sender, ClientConnectedEventArgs e)
    {
        if (_limiter is null || e.TransportProtocol != TransportProtocol.Udp)
        {
            return Task.CompletedTask;
        }
        switch (_limiter.Decide(e.RemoteEndpoint.Address))
        {
            case RateLimitDecision.Drop:
                e.RefuseConnect = true;
                break;
            case RateLimitDecision.Slip:
                if (_slips.Count >= MaxPendingSlips)
                {
                    _slips.Clear();
                }
                _slips.AddOrUpdate(e.RemoteEndpoint, 1, (_, n) => n + 1);
                break;
            default:
                break;
        }
        return Task.CompletedTask;
    }

    private Task OnQueryReceived(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is DnsMessage query)
        {
            e.Response = e.TransportProtocol == TransportProtocol.Udp && TakeSlip(e.RemoteEndpoint)
                ? ZoneResponder.Truncated(query)
                : ZoneResponder.Answer(query, Volatile.Read(ref _snapshot), _options.MaxUdpPayload);
        }
        return Task.CompletedTask;
    }

    private bool TakeSlip(IPEndPoint client)
    {
        while (_slips.TryGetValue(client, out var pending))
        {
            if (pending <= 1 ? _slips.TryRemove(new KeyValuePair<IPEndPoint, int>(client, pending)) : _slips.TryUpdate(client, pending - 1, pending))
            {
                return true;
            }
        }
        return false;
    }

    private Task OnExceptionThrown(object sender, ExceptionEventArgs e)
    {
        _warnings.Failed(e.Exception);
        return Task.CompletedTask;
    }

    private sealed record Listener(DnsServer Server, UdpServerTransport Udp, TcpServerTransport Tcp, IPEndPoint Endpoint);

    [LoggerMessage(EventId = LogEvents.Publishing + 1, Level = LogLevel.Information, Message = "Built-in DNS server listening on {Endpoint} (UDP and TCP)")]
    private static partial void LogListening(ILogger logger, IPEndPoint endpoint);
}
