using System.Text.Json.Serialization;

namespace SenderAuth.Store.Webhooks;

/// <summary>
/// Every event a webhook receives: its token is the <c>SenderAuth-Event</c> header, the payload's <c>event</c> and,
/// for most, the audit action too. The words predate the enum (dotted, not kebab-case), so each is fixed on its member.
/// </summary>
public enum ServerEventType
{
    /// <summary>A pending domain passed its check. Details: <see cref="DomainStateDetails"/>.</summary>
    [JsonStringEnumMemberName("domain.verified")]
    DomainVerified,
    /// <summary>A degraded or failed domain passes again. Details: <see cref="DomainStateDetails"/>.</summary>
    [JsonStringEnumMemberName("domain.recovered")]
    DomainRecovered,
    /// <summary>A verified domain failed a check or its canary (signing continues for the grace period). Details: <see cref="DomainStateDetails"/>.</summary>
    [JsonStringEnumMemberName("domain.degraded")]
    DomainDegraded,
    /// <summary>A domain is still degraded, once per reminder interval. Details: <see cref="DomainStateDetails"/>.</summary>
    [JsonStringEnumMemberName("domain.degraded.reminder")]
    DomainDegradedReminder,
    /// <summary>A domain failed: never verified in time, or degraded past the grace period. Details: <see cref="DomainStateDetails"/>.</summary>
    [JsonStringEnumMemberName("domain.failed")]
    DomainFailed,
    /// <summary>A record of the domain cannot be published in the provider zone. No details.</summary>
    [JsonStringEnumMemberName("domain.publish-problem")]
    DomainPublishProblem,
    /// <summary>A key rotation finished and waits for the next one. Details: <see cref="RotationDetails"/>.</summary>
    [JsonStringEnumMemberName("rotation.idle")]
    RotationIdle,
    /// <summary>A rotation generated the next key. Details: <see cref="RotationDetails"/>.</summary>
    [JsonStringEnumMemberName("rotation.generated")]
    RotationGenerated,
    /// <summary>A rotation published the next key and waits for DNS. Details: <see cref="RotationDetails"/>.</summary>
    [JsonStringEnumMemberName("rotation.publishing")]
    RotationPublishing,
    /// <summary>Signing switched to the new key; the old one stays published for its retention. Details: <see cref="RotationDetails"/>.</summary>
    [JsonStringEnumMemberName("rotation.retaining")]
    RotationRetaining,
    /// <summary>A rotation stopped (a canary failed, or a step cannot proceed). Details: <see cref="RotationDetails"/>.</summary>
    [JsonStringEnumMemberName("rotation.blocked")]
    RotationBlocked,
    /// <summary>Operator webhooks only: the provider zone failed to publish. Details: the publisher's mode (the server's <c>PublisherDetails</c>).</summary>
    [JsonStringEnumMemberName("zone.publish-failed")]
    ZonePublishFailed,
    /// <summary>Operator webhooks only: the provider zone is published again. Details: the publisher's mode.</summary>
    [JsonStringEnumMemberName("zone.publish-recovered")]
    ZonePublishRecovered,
    /// <summary>An imported report shows our own mail failing DMARC. Details: <see cref="OwnMailFailingDetails"/>.</summary>
    [JsonStringEnumMemberName("reports.own-mail-failing")]
    ReportsOwnMailFailing,
    /// <summary>Asked for with <c>POST /webhooks/{id}/test</c>, to try a receiver. No details.</summary>
    [JsonStringEnumMemberName("webhook.test")]
    WebhookTest,
}
