using SenderAuth.Reports;

namespace SenderAuth.Store.Reports;

/// <summary>One parsed report record to the row the analysis groups by.</summary>
internal static class ReportRecordMapper
{
    public static StoredReportRecord Map(DmarcReportRecord record, long reportId, long domainId, DateTime day)
    {
        DmarcDkimAuthResult? dkim = null;
        foreach (var d in record.DkimResults)
        {
            if (dkim is null || (d.Result == DmarcAuthResult.Pass && dkim.Result != DmarcAuthResult.Pass))
            {
                dkim = d;
            }
        }
        DmarcSpfAuthResult? spf = null;
        foreach (var s in record.SpfResults)
        {
            // The MAIL FROM result is the one DMARC uses; HELO only when there is nothing else.
            if (spf is null || (spf.Scope == DmarcSpfScope.Helo && s.Scope != DmarcSpfScope.Helo))
            {
                spf = s;
            }
        }
        var forward = false;
        foreach (var r in record.Reasons)
        {
            forward |= r.Type is DmarcPolicyOverride.Forwarded or DmarcPolicyOverride.MailingList or DmarcPolicyOverride.TrustedForwarder
                || (r.Comment?.Contains("arc=pass", StringComparison.OrdinalIgnoreCase) ?? false);
        }
        return new StoredReportRecord
        {
            ReportId = reportId,
            DomainId = domainId,
            Day = day,
            SourceIp = record.SourceIp.ToString(),
            Count = record.Count,
            Disposition = record.Disposition.Token(),
            DmarcPass = record.DmarcPass,
            DkimAligned = record.Dkim == DmarcAlignmentResult.Pass,
            SpfAligned = record.Spf == DmarcAlignmentResult.Pass,
            DkimAuthPass = dkim?.Result == DmarcAuthResult.Pass,
            SpfAuthPass = spf?.Result == DmarcAuthResult.Pass,
            ForwardHint = forward,
            HeaderFrom = Clip(record.HeaderFrom.ToLowerInvariant(), 253)!,
            EnvelopeFrom = Clip(record.EnvelopeFrom?.ToLowerInvariant(), 253),
            DkimDomain = Clip(dkim?.Domain.ToLowerInvariant(), 253),
            DkimSelector = Clip(dkim?.Selector?.ToLowerInvariant(), 63),
            SpfDomain = Clip(spf?.Domain.ToLowerInvariant(), 253),
            Reasons = record.Reasons.Count == 0 ? null : Clip(string.Join(',', record.Reasons.Select(r => r.Type.Token())), 200),
        };
    }

    public static void AddTo(ReportDay day, StoredReportRecord r)
    {
        day.Messages += r.Count;
        day.DmarcPass += r.DmarcPass ? r.Count : 0;
        day.DkimAligned += r.DkimAligned ? r.Count : 0;
        day.SpfAligned += r.SpfAligned ? r.Count : 0;
        day.DkimPass += r.DkimAuthPass ? r.Count : 0;
        day.SpfPass += r.SpfAuthPass ? r.Count : 0;
        day.Quarantine += r.Disposition == "quarantine" ? r.Count : 0;
        day.Reject += r.Disposition == "reject" ? r.Count : 0;
    }

    private static string? Clip(string? value, int max) => value is null || value.Length <= max ? value : value[..max];
}
