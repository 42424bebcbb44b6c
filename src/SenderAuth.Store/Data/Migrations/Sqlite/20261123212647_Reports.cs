using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SenderAuth.Store.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Reports : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ForeignReports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ReporterOrg = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    ReportId = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    PolicyDomain = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    Begin = table.Column<DateTime>(type: "TEXT", nullable: false),
                    End = table.Column<DateTime>(type: "TEXT", nullable: false),
                    MessageCount = table.Column<long>(type: "INTEGER", nullable: false),
                    RecordCount = table.Column<int>(type: "INTEGER", nullable: false),
                    Origin = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    ImportedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ForeignReports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "KnownSenders",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    InstitutionId = table.Column<long>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Networks = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    DkimDomains = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_KnownSenders", x => x.Id);
                    table.ForeignKey(
                        name: "FK_KnownSenders_Institutions_InstitutionId",
                        column: x => x.InstitutionId,
                        principalTable: "Institutions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "QuarantinedReports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    StoredAs = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    Origin = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    InstitutionId = table.Column<long>(type: "INTEGER", nullable: true),
                    Bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QuarantinedReports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ReportDays",
                columns: table => new
                {
                    DomainId = table.Column<long>(type: "INTEGER", nullable: false),
                    Day = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Reports = table.Column<int>(type: "INTEGER", nullable: false),
                    Messages = table.Column<long>(type: "INTEGER", nullable: false),
                    DmarcPass = table.Column<long>(type: "INTEGER", nullable: false),
                    DkimAligned = table.Column<long>(type: "INTEGER", nullable: false),
                    SpfAligned = table.Column<long>(type: "INTEGER", nullable: false),
                    DkimPass = table.Column<long>(type: "INTEGER", nullable: false),
                    SpfPass = table.Column<long>(type: "INTEGER", nullable: false),
                    Quarantine = table.Column<long>(type: "INTEGER", nullable: false),
                    Reject = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReportDays", x => new { x.DomainId, x.Day });
                    table.ForeignKey(
                        name: "FK_ReportDays_Domains_DomainId",
                        column: x => x.DomainId,
                        principalTable: "Domains",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Reports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ReporterOrg = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    ReportId = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    DomainId = table.Column<long>(type: "INTEGER", nullable: false),
                    InstitutionId = table.Column<long>(type: "INTEGER", nullable: false),
                    PolicyDomain = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    Begin = table.Column<DateTime>(type: "TEXT", nullable: false),
                    End = table.Column<DateTime>(type: "TEXT", nullable: false),
                    PublishedPolicy = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Origin = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    ImportedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    RecordCount = table.Column<int>(type: "INTEGER", nullable: false),
                    MessageCount = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Reports", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Reports_Domains_DomainId",
                        column: x => x.DomainId,
                        principalTable: "Domains",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SignedCounts",
                columns: table => new
                {
                    Domain = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    Selector = table.Column<string>(type: "TEXT", maxLength: 63, nullable: false),
                    Day = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Count = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SignedCounts", x => new { x.Domain, x.Selector, x.Day });
                });

            migrationBuilder.CreateTable(
                name: "ReportRecords",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ReportId = table.Column<long>(type: "INTEGER", nullable: false),
                    DomainId = table.Column<long>(type: "INTEGER", nullable: false),
                    Day = table.Column<DateTime>(type: "TEXT", nullable: false),
                    SourceIp = table.Column<string>(type: "TEXT", maxLength: 45, nullable: false),
                    Count = table.Column<long>(type: "INTEGER", nullable: false),
                    Disposition = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    DmarcPass = table.Column<bool>(type: "INTEGER", nullable: false),
                    DkimAligned = table.Column<bool>(type: "INTEGER", nullable: false),
                    SpfAligned = table.Column<bool>(type: "INTEGER", nullable: false),
                    DkimAuthPass = table.Column<bool>(type: "INTEGER", nullable: false),
                    SpfAuthPass = table.Column<bool>(type: "INTEGER", nullable: false),
                    ForwardHint = table.Column<bool>(type: "INTEGER", nullable: false),
                    HeaderFrom = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    EnvelopeFrom = table.Column<string>(type: "TEXT", maxLength: 253, nullable: true),
                    DkimDomain = table.Column<string>(type: "TEXT", maxLength: 253, nullable: true),
                    DkimSelector = table.Column<string>(type: "TEXT", maxLength: 63, nullable: true),
                    SpfDomain = table.Column<string>(type: "TEXT", maxLength: 253, nullable: true),
                    Reasons = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReportRecords", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReportRecords_Reports_ReportId",
                        column: x => x.ReportId,
                        principalTable: "Reports",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ForeignReports_ReporterOrg_ReportId",
                table: "ForeignReports",
                columns: new[] { "ReporterOrg", "ReportId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_KnownSenders_InstitutionId_Name",
                table: "KnownSenders",
                columns: new[] { "InstitutionId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ReportRecords_DomainId_Day",
                table: "ReportRecords",
                columns: new[] { "DomainId", "Day" });

            migrationBuilder.CreateIndex(
                name: "IX_ReportRecords_ReportId",
                table: "ReportRecords",
                column: "ReportId");

            migrationBuilder.CreateIndex(
                name: "IX_Reports_DomainId_Begin",
                table: "Reports",
                columns: new[] { "DomainId", "Begin" });

            migrationBuilder.CreateIndex(
                name: "IX_Reports_ReporterOrg_ReportId",
                table: "Reports",
                columns: new[] { "ReporterOrg", "ReportId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ForeignReports");

            migrationBuilder.DropTable(
                name: "KnownSenders");

            migrationBuilder.DropTable(
                name: "QuarantinedReports");

            migrationBuilder.DropTable(
                name: "ReportDays");

            migrationBuilder.DropTable(
                name: "ReportRecords");

            migrationBuilder.DropTable(
                name: "SignedCounts");

            migrationBuilder.DropTable(
                name: "Reports");
        }
    }
}
