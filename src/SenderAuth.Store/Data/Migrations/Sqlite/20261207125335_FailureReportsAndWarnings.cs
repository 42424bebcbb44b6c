using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SenderAuth.Store.Data.Migrations.Sqlite
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
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "FailureReports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    InstitutionId = table.Column<long>(type: "INTEGER", nullable: true),
                    DomainId = table.Column<long>(type: "INTEGER", nullable: true),
                    ReportedDomain = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    Reporter = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    SourceIp = table.Column<string>(type: "TEXT", maxLength: 45, nullable: true),
                    HeaderFrom = table.Column<string>(type: "TEXT", maxLength: 253, nullable: true),
                    MailFrom = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    DkimDomain = table.Column<string>(type: "TEXT", maxLength: 253, nullable: true),
                    DkimSelector = table.Column<string>(type: "TEXT", maxLength: 253, nullable: true),
                    AuthFailure = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    IdentityAlignment = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    DeliveryResult = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    AuthenticationResults = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: true),
                    ArrivalDate = table.Column<DateTime>(type: "TEXT", nullable: true),
                    MessageId = table.Column<string>(type: "TEXT", maxLength: 998, nullable: true),
                    Headers = table.Column<string>(type: "TEXT", maxLength: 40000, nullable: false),
                    BodyRedacted = table.Column<bool>(type: "INTEGER", nullable: false),
                    Format = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Warnings = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    ReceivedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Origin = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Uploaded = table.Column<bool>(type: "INTEGER", nullable: false),
                    Trusted = table.Column<bool>(type: "INTEGER", nullable: false),
                    Provenance = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    ProvenanceDetail = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Warning = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Fingerprint = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
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
