using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SenderAuth.Tests.Server;

/// <summary>
/// A webhook receiver on a loopback port (real Kestrel, real HTTP), verifying signatures the way docs/server.md
/// tells receivers to, written independently of the server's code. It answers 200 unless told to fail.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    /// <summary>What arrived, with the verdict on its signature.</summary>
    public sealed record Delivery(string? Event, string? DeliveryId, string? ContentType, string Body, long Timestamp, bool SignatureValid, bool Fresh, int AnsweredWith);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _failures = new();
    private readonly ConcurrentQueue<Delivery> _received = new();

    /// <summary>The secret signatures are checked with (as shown once at creation).</summary>
    public string? Secret { get; set; }

    /// <summary>The receiver's clock for the replay window: the server's, which tests may hold still.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>How long each answer takes.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Answer every request with this status (null: 200 unless <see cref="FailNext"/> queued a failure).</summary>
    public int? AlwaysAnswer { get; set; }

    public IReadOnlyList<Delivery> Received => [.. _received];

    public string Url { get; }

    private WebhookReceiver(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/hook", async (HttpContext http) => await receiver!.HandleAsync(http));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new WebhookReceiver(app, address + "/hook");
        return receiver;
    }

    public void FailNext(int times, int status = 500)
    {
        for (var i = 0; i < times; i++)
        {
            _failures.Enqueue(status);
        }
    }

    private async Task HandleAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var (valid, timestamp) = Verify(http.Request.Headers["SenderAuth-Signature"].ToString(), body);
        var fresh = Math.Abs(Clock.GetUtcNow().ToUnixTimeSeconds() - timestamp) <= 300;
        var status = AlwaysAnswer ?? (_failures.TryDequeue(out var failure) ? failure : 200);
        _received.Enqueue(new Delivery(http.Request.Headers["SenderAuth-Event"].ToString(), http.Request.Headers["SenderAuth-Delivery"].ToString(),
            http.Request.ContentType, Encoding.UTF8.GetString(body), timestamp, valid, fresh, status));
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay);
        }
        http.Response.StatusCode = status;
    }

    /// <summary>
    /// The receiver's recipe: take t and every v1 from the header, compute HMAC-SHA256 over "t.body" (the raw body
    /// bytes) with the secret's UTF-8 bytes, compare in constant time with any v1; then check t is recent.
    /// </summary>
    private (bool Valid, long Timestamp) Verify(string header, byte[] body)
    {
        long t = -1;
        var candidates = new List<string>();
        foreach (var part in header.Split(','))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2)
            {
                continue;
            }
            if (kv[0] == "t" && long.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                t = parsed;
            }
            else if (kv[0] == "v1")
            {
                candidates.Add(kv[1]);
            }
        }
        if (t < 0 || Secret is null)
        {
            return (false, t);
        }
        var signed = Encoding.UTF8.GetBytes(t.ToString(CultureInfo.InvariantCulture) + ".").Concat(body).ToArray();
        var expected = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), signed)));
        return (candidates.Any(c => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(c), expected)), t);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
