using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using SenderAuth.AuthenticationResults;
using SenderAuth.Dns;
using SenderAuth.Milter;
using SenderAuth.Json;

namespace SenderAuth.Server.Milter;

/// <summary>
/// The milter's socket (Milter:Listen, TCP or Unix), hosted by <c>serve</c>. Bound in <see cref="StartAsync"/>, so a
/// busy address stops the server at start. Every connection runs as its own task: a slow or stalled MTA
/// connection holds only itself (and is cut by the idle and packet timeouts); beyond MaxConnections new ones
/// are closed at once and counted.
/// </summary>
public sealed class MilterListener(IOptions<MilterOptions> milter, IOptions<ProviderOptions> provider, SigningService signing, IServiceProvider services, TimeProvider time,
    ServerMetrics metrics, ILogger<MilterListener> logger) : IHostedService, IAsyncDisposable
{
    private readonly MilterOptions _options = milter.Value;
    private readonly CancellationTokenSource _stopping = new();
    private readonly MilterWarnings _warnings = new(logger, time);

    // The host may stop and dispose this service from two paths at once (the test host's StopAsync racing the app's
    // own disposal when its run ends): whichever comes first cancels, and a later StopAsync finds nothing to do.
    private int _stopped;
    private Socket? _socket;
    private Task? _acceptLoop;
    private int _active;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, Task> _connections = new();
    private int _nextId;
    private MilterTransactionFactory? _transactions;
    private List<IPNetwork> _allowedPeers = [];
    private readonly Lazy<MessageVerifier> _verifier = new(() => new MessageVerifier(
        // Resolved on first use, not when the listener is built: the resolver reads where the built-in DNS server
        // listens, known only once StartupTasks has started it.
        services.GetRequiredService<IDnsResolver>(),
        new MessageVerifierOptions { AuthServId = milter.Value.AuthServId ?? DnsName.Normalize(provider.Value.Zone) }, time));

    /// <summary>Where the milter listens (the real port when Listen asked for port 0); null when disabled.</summary>
    public string? Address { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            return Task.CompletedTask;
        }
        if (_options.VerifyMode)
        {
            _options.AuthServId ??= DnsName.Normalize(provider.Value.Zone);
        }
        // The mode is decided here, once: every connection's driver gets the same kind of transaction.
        _transactions = _options.VerifyMode
            ? VerifyingTransaction.Factory(_options, () => _verifier.Value, metrics, logger)
            : SigningTransaction.Factory(_options, signing, new MilterPeerMap(_options.PeerInstitutions, services.GetRequiredService<IServiceScopeFactory>()), metrics, logger);
        _allowedPeers = NetworkList.Parse(_options.AllowedPeers, out _);
        MilterOptions.TryEndpoint(_options.Listen, out var tcp, out var unixPath);
        if (unixPath is not null)
        {
            if (File.Exists(unixPath))
            {
                // A socket left by a previous run (a crash leaves it) would make binding fail; one that a running
                // server still answers on is not ours to take (deleting it would cut that server off its MTA).
                if (Answers(unixPath))
                {
                    throw new SocketException((int)SocketError.AddressAlreadyInUse);
                }
                File.Delete(unixPath);
            }
            _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            _socket.Bind(new UnixDomainSocketEndPoint(unixPath));
            // Owner and group: put the MTA's user (postfix) in the server's group; others cannot get mail signed.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(unixPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            }
            Address = "unix:" + unixPath;
        }
        else
        {
            _socket = new Socket(tcp!.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            // SO_REUSEADDR alone, so a restart rebinds at once over connections still in TIME_WAIT. Not .NET's
            // ReuseAddress option: on Linux it sets SO_REUSEPORT too, and a second server then shared the port
            // silently, the kernel splitting the MTA's connections between two servers.
            if (OperatingSystem.IsLinux())
            {
                _socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
            }
            _socket.Bind(tcp);
            var bound = (IPEndPoint)_socket.LocalEndPoint!;
            Address = $"inet:{(bound.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{bound.Address}]" : bound.Address)}:{bound.Port}";
        }
        _socket.Listen(512);
        logger.LogInformation(new EventId(LogEvents.Milter + 1), "milter listening on {Address} (mode {Mode})", Address, SenderAuthJson.Token(_options.Mode));
        _acceptLoop = Task.Run(() => AcceptLoopAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;

    private static bool Answers(string unixPath)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(unixPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task AcceptLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket!.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // e.g. out of file descriptors: logged, and the loop goes on rather than silently ending the milter.
                logger.LogError(new EventId(LogEvents.Milter + 2), e, "milter accept failed");
                await Task.Delay(100, ct).ConfigureAwait(false);
                continue;
            }
            if (_allowedPeers.Count > 0 && client.RemoteEndPoint is IPEndPoint peer && !NetworkList.Contains(_allowedPeers, peer.Address))
            {
                // Closed before a byte is read: a host not listed cannot get mail signed, nor learn what it speaks to.
                metrics.MilterConnection("refused");
                _warnings.PeerRefused(peer.Address);
                client.Dispose();
                continue;
            }
            if (Interlocked.Increment(ref _active) > _options.MaxConnections)
            {
                Interlocked.Decrement(ref _active);
                metrics.MilterConnection("refused");
                _warnings.TooManyConnections(_options.MaxConnections);
                client.Dispose();
                continue;
            }
            metrics.MilterConnection("accepted");
            var id = Interlocked.Increment(ref _nextId);
            _connections[id] = Task.Run(() => ServeAsync(id, client, ct), CancellationToken.None);
        }
    }

    private async Task ServeAsync(int id, Socket client, CancellationToken ct)
    {
        try
        {
            if (client.AddressFamily != AddressFamily.Unix)
            {
                client.NoDelay = true;
            }
            await using var stream = new NetworkStream(client, ownsSocket: true);
            var session = new MilterSession(_options, _transactions!, metrics, logger);
            metrics.MilterSession(+1);
            try
            {
                await session.RunAsync(stream, ct).ConfigureAwait(false);
            }
            finally
            {
                metrics.MilterSession(-1);
            }
        }
        catch (MilterProtocolException e)
        {
            metrics.MilterError(e.Reason);
            logger.LogWarning(new EventId(LogEvents.Milter + 3), "milter connection closed: {Reason}: {Message}", e.Reason, e.Message);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (IOException e)
        {
            metrics.MilterError("truncated");
            logger.LogWarning(new EventId(LogEvents.Milter + 4), "milter connection failed: {Message}", e.Message);
        }
        catch (Exception e)
        {
            metrics.MilterError("internal");
            logger.LogError(new EventId(LogEvents.Milter + 5), e, "milter connection failed");
        }
        finally
        {
            client.Dispose();
            Interlocked.Decrement(ref _active);
            _connections.TryRemove(id, out _);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_socket is null || Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        await Task.WhenAll(_connections.Values).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (Address?.StartsWith("unix:", StringComparison.Ordinal) == true)
        {
            File.Delete(Address[5..]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }
        _socket?.Dispose();
        _stopping.Dispose();
        _warnings.Dispose();
    }
}
