using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SenderAuth.Cli.Commands;
using SenderAuth.Dkim;
using SenderAuth.Json;
using SenderAuth.Store.Data;
using SenderAuth.Store.Hosting;
using SenderAuth.Store.Reports;
using SenderAuth.Store.Reports.Analysis;

namespace SenderAuth.Cli;

/// <summary>
/// Source-generated metadata of every <c>--json</c> view of the CLI (and of <c>spf --batch</c>'s input line and the
/// server answers <c>status</c> and <c>audit</c> read, ServerAnswers.cs). Only
/// metadata: the contract's options (<see cref="CliJson"/>) decide names, tokens and nulls, so the generator's own
/// defaults never reach the output. A new view is added here (<c>CliJsonContractTests</c> fails otherwise).
/// </summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(SpfView))]
[JsonSerializable(typeof(SpfBatch.Request))]
[JsonSerializable(typeof(SpfLintView))]
[JsonSerializable(typeof(DmarcLintView))]
[JsonSerializable(typeof(DkimKeygenView))]
[JsonSerializable(typeof(DkimVerifyView))]
[JsonSerializable(typeof(VerifyView))]
[JsonSerializable(typeof(CheckView))]
[JsonSerializable(typeof(CheckErrorView))]
[JsonSerializable(typeof(ReportOutputView))]
[JsonSerializable(typeof(ImportOutputView))]
[JsonSerializable(typeof(ReportSummaryView))]
[JsonSerializable(typeof(BackupView))]
[JsonSerializable(typeof(RestoreView))]
[JsonSerializable(typeof(List<StatusView>))]
[JsonSerializable(typeof(List<AuditEntryView>))]
[JsonSerializable(typeof(ServerPage<AuditEntryView>))]
[JsonSerializable(typeof(ServerPage<InstitutionAnswer>))]
[JsonSerializable(typeof(ServerPage<DomainAnswer>))]
[JsonSerializable(typeof(HistoryAnswer))]
[JsonSerializable(typeof(RotationAnswer))]
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The enums without a protocol token that the views hold, in kebab-case: the contract over source-generated
    /// metadata cannot make their converters on demand (SenderAuthJson.Configure); CliJsonContractTests fails when
    /// a view holds one missing here (written as a number).
    /// </summary>
    public static IEnumerable<JsonConverter> KebabCaseEnums =>
    [
        SenderAuthJson.KebabCaseEnum<DkimKeyType>(), SenderAuthJson.KebabCaseEnum<SigningStatus>(),
        SenderAuthJson.KebabCaseEnum<DatabaseKind>(), SenderAuthJson.KebabCaseEnum<FileImportStatus>(),
        SenderAuthJson.KebabCaseEnum<ReportProvenance>(), SenderAuthJson.KebabCaseEnum<ReportPeriod>(),
        SenderAuthJson.KebabCaseEnum<ReportImportStatus>(), SenderAuthJson.KebabCaseEnum<SourceCategory>(),
        SenderAuthJson.KebabCaseEnum<TimelineEventKind>(), SenderAuthJson.KebabCaseEnum<ReportKind>(),
        SenderAuthJson.KebabCaseEnum<AdviceArea>(), SenderAuthJson.KebabCaseEnum<ThirdPartyIntegration>(),
        SenderAuthJson.KebabCaseEnum<DomainState>(), SenderAuthJson.KebabCaseEnum<RotationStep>(),
    ];
}
