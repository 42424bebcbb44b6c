using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SenderAuth.Milter;
using SenderAuth.Store.Data;
using SenderAuth.Server.Milter;

namespace SenderAuth.Tests.Server.Milter;

/// <summary>
/// An internal error (here: the database lost its Domains table) follows Milter:OnError, is counted
/// (senderauth.milter.errors{reason=internal}) and never leaves the MTA waiting; signed messages are counted on the
/// same signature counter as the API's, tagged channel=milter.
/// </summary>
[Trait("Layer", "server")]
public sealed class MilterErrorTests
{
    private static string Message(string from) =>
        $"From: <{from}>\r\nTo: a@example.org\r\nSubject: s\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n";

    [Theory]
    [InlineData("tempfail")]
    [InlineData("accept")]
    public async Task AmbiguousHeader_NeverSigned_RejectedOrPassedUnsignedByOnError(string onError)
    {
        // The MTA hands over a field named "\u00a0From" (UTF-8 NBSP, then From). Not an internal error but a
        // permanent fault of the message: tempfail (hold back what cannot be signed) becomes a 550 reject, accept
        // lets it through unsigned. Signed in neither case.
        await using var host = await ServerHost.StartAsync("sqlite", new Dictionary<string, string?>
        {
            ["SenderAuth:Milter:OnError"] = onError,
            ["SenderAuth:Milter:UnknownDomainPolicy"] = "SignWithProviderDomain",
        });
        await using var client = await MilterClient.ConnectAsync(host.Services.GetRequiredService<MilterListener>().Address!);
        await client.NegotiateAsync();
        var replies = await client.SendMessageAsync(Message("ok@ambiguous.example").Replace("To: ", "\u00a0From: Evil <evil@attacker.example>\r\nTo: ", StringComparison.Ordinal));
        var verdict = Assert.Single(replies);
        if (onError == "tempfail")
        {
            Assert.Equal(MilterReply.ReplyCode, verdict.Code);
            Assert.StartsWith("550 5.6.0 not signed: ambiguous header: line 2 (after From) begins with U+00A0", verdict.Text, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(MilterReply.Continue, verdict.Code);
        }
    }

    [Theory]
    [InlineData("tempfail")]
    [InlineData("accept")]
    public async Task InternalError_FollowsOnErrorAndIsCounted(string onError)
    {
        await using var host = await ServerHost.StartAsync("sqlite", new Dictionary<string, string?>
        {
            ["SenderAuth:Milter:OnError"] = onError,
            ["SenderAuth:Milter:UnknownDomainPolicy"] = "SignWithProviderDomain",
        });
        var counts = new Dictionary<string, long>();
        // Only this host's meter (its IMeterFactory is the meter's scope): other tests' servers count too.
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "SenderAuth.Server" && ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name is "senderauth.milter.errors" or "senderauth.signatures" or "senderauth.milter.messages")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name + string.Concat(tags.ToArray().Select(t => $"|{t.Key}={t.Value}"));
            lock (counts)
            {
                counts[key] = counts.GetValueOrDefault(key) + value;
            }
        });
        meters.Start();
        var address = host.Services.GetRequiredService<MilterListener>().Address!;
        await using var client = await MilterClient.ConnectAsync(address);
        await client.NegotiateAsync();

        var first = Message("ok@before-the-error.example");
        var signed = await client.SendMessageAsync(first);
        Assert.Contains(signed, r => r.Code == MilterReply.InsertHeader);

        using (var scope = host.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SenderAuthDb>();
            await db.Database.ExecuteSqlRawAsync("DROP TABLE \"Domains\"", TestContext.Current.CancellationToken);
        }
        var replies = await client.SendMessageAsync(Message("x@after-the-error.example"));
        var verdict = Assert.Single(replies);
        if (onError == "tempfail")
        {
            Assert.Equal(MilterReply.ReplyCode, verdict.Code);
            Assert.StartsWith("451 4.3.0 ", verdict.Text, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(MilterReply.Continue, verdict.Code);
        }
        // The connection is still good for the next message.
        Assert.Single(await client.SendMessageAsync(Message("y@after-the-error.example")));
        lock (counts)
        {
            Assert.Equal(2, counts.GetValueOrDefault("senderauth.milter.errors|reason=internal"));
            Assert.Equal(1, counts.GetValueOrDefault("senderauth.signatures|channel=milter"));
            Assert.Equal(2, counts.GetValueOrDefault($"senderauth.milter.messages|outcome={(onError == "tempfail" ? "tempfail" : "unsigned")}"));
        }
    }
}
