namespace SenderAuth.Server.Domains;

/// <summary><c>?format=</c> of GET …/records: the plan as JSON (the default) or a zone-file fragment to paste.</summary>
public enum RecordsFormat
{
    Json,
    Zone,
}
