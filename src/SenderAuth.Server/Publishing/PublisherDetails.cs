namespace SenderAuth.Server.Publishing;

/// <summary>The details of <c>zone.publish-failed</c> and <c>zone.publish-recovered</c>: how this server publishes the provider zone.</summary>
public sealed record PublisherDetails(PublishingMode Publisher) : IEventDetails;
