using SenderAuth.Store.Data;

namespace SenderAuth.Store.Webhooks;

/// <summary>The details of the <c>domain.*</c> state events: where the domain stands after the change.</summary>
public sealed record DomainStateDetails(DomainState State, bool SigningEnabled, bool SigningSuspended) : IEventDetails;

/// <summary>The details of the <c>rotation.*</c> events: the rotation's group (its first selector's target).</summary>
public sealed record RotationDetails(string Group) : IEventDetails;

/// <summary>The details of <c>reports.own-mail-failing</c>: the report and the day whose messages from our networks failed.</summary>
public sealed record OwnMailFailingDetails(string Reporter, string ReportId, DateTime Day, long Failing, long Total) : IEventDetails;
