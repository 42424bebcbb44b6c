using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace SenderAuth.Store.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class FailureReportsAndWarnings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Warnings",
                table: "Reports",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "FailureReports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    InstitutionId = table.Column<long>(type: "bigint", nullable: true),
                    DomainId = table.Column<long>(type: "bigint", nullable: true),
                    ReportedDomain = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    Reporter = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: true),
                    SourceIp = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: true),
                    HeaderFrom = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: true),
                    MailFrom = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: true),
                    DkimDomain = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: true),
                    DkimSelector = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: true),
                    AuthFailure = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    IdentityAlignment = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    DeliveryResult = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    AuthenticationResults = table.Column<string>(type: "character varying(8000)", maxLength: 8000, nullable: true),
                    ArrivalDate = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    MessageId = table.Column<string>(type: "character varying(998)", maxLength: 998, nullable: true),
                    Headers = table.Column<string>(type: "character varying(40000)", maxLength: 40000, nullable: false),
                    BodyRedacted = table.Column<bool>(type: "boolean", nullable: false),
                    Format = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Warnings = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    ReceivedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Origin = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Uploaded = table.Column<bool>(type: "boolean", nullable: false),
                    Trusted = table.Column<bool>(type: "boolean", nullable: false),
                    Provenance = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    ProvenanceDetail = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Warning = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    Fingerprint = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FailureReports", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FailureReports_Domains_DomainId",
                        column: x => x.DomainId,
                        principalTable: "Domains",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_FailureReports_DomainId_ReceivedAt",
                table: "FailureReports",
                columns: new[] { "DomainId", "ReceivedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_FailureReports_Fingerprint_Uploaded",
                table: "FailureReports",
                columns: new[] { "Fingerprint", "Uploaded" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "FailureReports");

            migrationBuilder.DropColumn(
                name: "Warnings",
                table: "Reports");
        }
    }
}
