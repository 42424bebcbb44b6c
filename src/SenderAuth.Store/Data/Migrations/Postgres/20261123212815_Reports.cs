using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace SenderAuth.Store.Data.Migrations.Postgres
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ReporterOrg = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    ReportId = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    PolicyDomain = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    Begin = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    End = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    MessageCount = table.Column<long>(type: "bigint", nullable: false),
                    RecordCount = table.Column<int>(type: "integer", nullable: false),
                    Origin = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    ImportedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ForeignReports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "KnownSenders",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    InstitutionId = table.Column<long>(type: "bigint", nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Networks = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    DkimDomains = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    FileName = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    StoredAs = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    Origin = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    InstitutionId = table.Column<long>(type: "bigint", nullable: true),
                    Bytes = table.Column<long>(type: "bigint", nullable: false),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    At = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QuarantinedReports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ReportDays",
                columns: table => new
                {
                    DomainId = table.Column<long>(type: "bigint", nullable: false),
                    Day = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Reports = table.Column<int>(type: "integer", nullable: false),
                    Messages = table.Column<long>(type: "bigint", nullable: false),
                    DmarcPass = table.Column<long>(type: "bigint", nullable: false),
                    DkimAligned = table.Column<long>(type: "bigint", nullable: false),
                    SpfAligned = table.Column<long>(type: "bigint", nullable: false),
                    DkimPass = table.Column<long>(type: "bigint", nullable: false),
                    SpfPass = table.Column<long>(type: "bigint", nullable: false),
                    Quarantine = table.Column<long>(type: "bigint", nullable: false),
                    Reject = table.Column<long>(type: "bigint", nullable: false)
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ReporterOrg = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    ReportId = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    DomainId = table.Column<long>(type: "bigint", nullable: false),
                    InstitutionId = table.Column<long>(type: "bigint", nullable: false),
                    PolicyDomain = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    Begin = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    End = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    PublishedPolicy = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Origin = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    ImportedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    RecordCount = table.Column<int>(type: "integer", nullable: false),
                    MessageCount = table.Column<long>(type: "bigint", nullable: false)
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
                    Domain = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    Selector = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    Day = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SignedCounts", x => new { x.Domain, x.Selector, x.Day });
                });

            migrationBuilder.CreateTable(
                name: "ReportRecords",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ReportId = table.Column<long>(type: "bigint", nullable: false),
                    DomainId = table.Column<long>(type: "bigint", nullable: false),
                    Day = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    SourceIp = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: false),
                    Count = table.Column<long>(type: "bigint", nullable: false),
                    Disposition = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    DmarcPass = table.Column<bool>(type: "boolean", nullable: false),
                    DkimAligned = table.Column<bool>(type: "boolean", nullable: false),
                    SpfAligned = table.Column<bool>(type: "boolean", nullable: false),
                    DkimAuthPass = table.Column<bool>(type: "boolean", nullable: false),
                    SpfAuthPass = table.Column<bool>(type: "boolean", nullable: false),
                    ForwardHint = table.Column<bool>(type: "boolean", nullable: false),
                    HeaderFrom = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    EnvelopeFrom = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: true),
                    DkimDomain = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: true),
                    DkimSelector = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: true),
                    SpfDomain = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: true),
                    Reasons = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
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
