using SenderAuth.Server.Publishing;
using SenderAuth.Store.Data;
using SenderAuth.Store.Webhooks;

namespace SenderAuth.Tests.Server.Webhooks;

/// <summary>
/// The body of every webhook event type, byte for byte, as receivers parse it: the event words predate the enum and
/// the details were anonymous objects, so these strings are what the enum and the details records must keep writing.
/// </summary>
[Trait("Layer", "server")]
public sealed class ServerEventJsonTests
{
    private static readonly DateTime At = new(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);

    private static readonly DomainStateDetails State = new(DomainState.Degraded, true, false);

    /// <summary>One event of each type, with the details its producer sends, and the payload it must be.</summary>
    private static readonly Dictionary<ServerEventType, (IEventDetails? Details, string Json)> Pinned = new()
    {
        [ServerEventType.DomainVerified] = (new DomainStateDetails(DomainState.Verified, false, false), """{"event":"domain.verified","institution":"museum","domain":"museum.example","at":"2026-03-02T09:00:00Z","reason":"why","details":{"state":"verified","signingEnabled":false,"signingSuspended":false}}"""),
        [ServerEventType.DomainRecovered] = (new DomainStateDetails(DomainState.Verified, true, false), """{"event":"domain.recovered","institution":"museum","domain":"museum.example","at":"2026-03-02T09:00:00Z","reason":"why","details":{"state":"verified","signingEnabled":true,"signingSuspended":false}}"""),
        [ServerEventType.DomainDegraded] = (State, """{"event":"domain.degraded","institution":"museum","domain":"museum.example","at":"2026-03-02T09:00:00Z","reason":"why","details":{"state":"degraded","signingEnabled":true,"signingSuspended":false}}"""),
        [ServerEventType.DomainDegradedReminder] = (State, """{"event":"domain.degraded.reminder","institution":"museum","domain":"museum.example","at":"2026-03-02T09:00:00Z","reason":"why","details":{"state":"degraded","signingEnabled":true,"signingSuspended":false}}"""),
        [ServerEventType.DomainFailed] = (new DomainStateDetails(DomainState.Failed, true, true), """{"event":"domain.failed","institution":"museum","domain":"museum.example","at":"2026-03-02T09:00:00Z","reason":"why","details":{"state":"failed","signingEnabled":true,"signingSuspended":true}}"""),
        [ServerEventType.DomainPublishProblem] = (null, """{"event":"domain.publish-problem","institution":"museum","domain":"museum.example","at":"2026-03-02T09:00:00Z","reason":"why","details":null}"""),
        [ServerEventType.RotationIdle] = (new RotationDetails("museum-a.keys.example"), """{"event":"rotation.idle","institution":"museum","domain":"museum.example","at":"2026-03-02T09:00:00Z","reason":"why","details":{"group":"museum-a.keys.example"}}"""),
        [ServerEventType.RotationGenerated] = (new RotationDetails("museum-a.keys.example"), """{"event":"rotation.generated","institution":"museum","domain":"museum.example","at":"2026-03-02T09:00:00Z","reason":"why","details":{"group":"museum-a.keys.example"}}"""),
        [ServerEventType.RotationPublishing] = (new RotationDetails("museum-a.keys.example"), """{"event":"rotation.publishing","institution":"museum","domain":"museum.example","at":"2026-03-02T09:00:00Z","reason":"why","details":{"group":"museum-a.keys.example"}}"""),
        [ServerEventType.RotationRetaining] = (new RotationDetails("museum-a.keys.example"), """{"event":"rotation.retaining","institution":"museum","domain":"museum.example","at":"2026-03-02T09:00:00Z","reason":"why","details":{"group":"museum-a.keys.example"}}"""),
        [ServerEventType.RotationBlocked] = (new RotationDetails("museum-a.keys.example"), """{"event":"rotation.blocked","institution":"museum","domain":"museum.example","at":"2026-03-02T09:00:00Z","reason":"why","details":{"group":"museum-a.keys.example"}}"""),
        [ServerEventType.ZonePublishFailed] = (new PublisherDetails(PublishingMode.Rfc2136), """{"event":"zone.publish-failed","institution":"museum","domain":"museum.example","at":"2026-03-02T09:00:00Z","reason":"why","details":{"publisher":"rfc2136"}}"""),
        [ServerEventType.ZonePublishRecovered] = (new PublisherDetails(PublishingMode.BuiltIn), """{"event":"zone.publish-recovered","institution":"museum","domain":"museum.example","at":"2026-03-02T09:00:00Z","reason":"why","details":{"publisher":"builtin"}}"""),
        [ServerEventType.ReportsOwnMailFailing] = (new OwnMailFailingDetails("google.com", "r-1", new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc), 12, 40), """{"event":"reports.own-mail-failing","institution":"museum","domain":"museum.example","at":"2026-03-02T09:00:00Z","reason":"why","details":{"reporter":"google.com","reportId":"r-1","day":"2026-03-01T00:00:00Z","failing":12,"total":40}}"""),
        [ServerEventType.WebhookTest] = (null, """{"event":"webhook.test","institution":"museum","domain":"museum.example","at":"2026-03-02T09:00:00Z","reason":"why","details":null}"""),
    };

    /// <summary>Every member of the enum: a new event type fails here until its payload is pinned above.</summary>
    public static TheoryData<ServerEventType> EventTypes() => new(Enum.GetValues<ServerEventType>());

    [Theory]
    [MemberData(nameof(EventTypes))]
    public void Payload_EachEventType_IsTheJsonReceiversRead(ServerEventType type)
    {
        Assert.True(Pinned.TryGetValue(type, out var pinned), $"{type} has no pinned payload");
        Assert.Equal(pinned.Json, WebhookOutbox.Payload(new ServerEvent(type, "museum", "museum.example", At, "why", pinned.Details)));
    }

    [Fact]
    public void RotationEvent_EachStep_IsRotationAndTheStepToken()
    {
        foreach (var step in Enum.GetValues<RotationStep>())
        {
            Assert.Equal($"rotation.{SenderAuth.Json.SenderAuthJson.Token(step)}", SenderAuth.Json.SenderAuthJson.Token(SenderAuth.Server.Monitoring.KeyRotator.RotationEvent(step)));
        }
    }
}
