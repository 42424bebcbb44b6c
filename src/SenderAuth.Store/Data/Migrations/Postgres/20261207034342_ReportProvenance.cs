using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SenderAuth.Store.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ReportProvenance : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Reports_ReporterOrg_ReportId",
                table: "Reports");

            migrationBuilder.DropIndex(
                name: "IX_ForeignReports_ReporterOrg_ReportId",
                table: "ForeignReports");

            migrationBuilder.AddColumn<string>(
                name: "Provenance",
                table: "Reports",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "Legacy");

            migrationBuilder.AddColumn<string>(
                name: "ProvenanceDetail",
                table: "Reports",
                type: "character varying(500)",
                maxLength: 500,
                nullable: false,
                defaultValue: "imported before provenance was recorded");

            migrationBuilder.AddColumn<bool>(
                name: "Trusted",
                table: "Reports",
                type: "boolean",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<bool>(
                name: "Uploaded",
                table: "Reports",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "Trusted",
                table: "ReportRecords",
                type: "boolean",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<string>(
                name: "Provenance",
                table: "ForeignReports",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "Legacy");

            migrationBuilder.AddColumn<bool>(
                name: "Uploaded",
                table: "ForeignReports",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "Warning",
                table: "ForeignReports",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            // Earlier uploads are keyed as uploads, so the mailbox's copy of the same report replaces them.
            migrationBuilder.Sql("UPDATE \"Reports\" SET \"Uploaded\" = TRUE WHERE \"Origin\" LIKE 'upload:%'");
            migrationBuilder.Sql("UPDATE \"ForeignReports\" SET \"Uploaded\" = TRUE WHERE \"Origin\" LIKE 'upload:%'");

            migrationBuilder.CreateIndex(
                name: "IX_Reports_PolicyDomain_ReporterOrg_ReportId_Uploaded",
                table: "Reports",
                columns: new[] { "PolicyDomain", "ReporterOrg", "ReportId", "Uploaded" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ForeignReports_PolicyDomain_ReporterOrg_ReportId_Uploaded",
                table: "ForeignReports",
                columns: new[] { "PolicyDomain", "ReporterOrg", "ReportId", "Uploaded" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Reports_PolicyDomain_ReporterOrg_ReportId_Uploaded",
                table: "Reports");

            migrationBuilder.DropIndex(
                name: "IX_ForeignReports_PolicyDomain_ReporterOrg_ReportId_Uploaded",
                table: "ForeignReports");

            migrationBuilder.DropColumn(
                name: "Provenance",
                table: "Reports");

            migrationBuilder.DropColumn(
                name: "ProvenanceDetail",
                table: "Reports");

            migrationBuilder.DropColumn(
                name: "Trusted",
                table: "Reports");

            migrationBuilder.DropColumn(
                name: "Uploaded",
                table: "Reports");

            migrationBuilder.DropColumn(
                name: "Trusted",
                table: "ReportRecords");

            migrationBuilder.DropColumn(
                name: "Provenance",
                table: "ForeignReports");

            migrationBuilder.DropColumn(
                name: "Uploaded",
                table: "ForeignReports");

            migrationBuilder.DropColumn(
                name: "Warning",
                table: "ForeignReports");

            migrationBuilder.CreateIndex(
                name: "IX_Reports_ReporterOrg_ReportId",
                table: "Reports",
                columns: new[] { "ReporterOrg", "ReportId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ForeignReports_ReporterOrg_ReportId",
                table: "ForeignReports",
                columns: new[] { "ReporterOrg", "ReportId" },
                unique: true);
        }
    }
}
