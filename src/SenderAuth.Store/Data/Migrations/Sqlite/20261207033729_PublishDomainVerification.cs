using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SenderAuth.Store.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PublishDomainVerification : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ChallengeToken",
                table: "Domains",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "PublishProblem",
                table: "Domains",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "VerifiedAt",
                table: "Domains",
                type: "TEXT",
                nullable: true);

            // Domains that passed a check before ownership was tracked proved it by their DKIM delegation: keep
            // their report-authorisation records. The others are verified by their next check.
            migrationBuilder.Sql("UPDATE \"Domains\" SET \"VerifiedAt\" = \"LastCheckedAt\" WHERE \"State\" IN ('Verified', 'Degraded') AND \"LastCheckedAt\" IS NOT NULL");

            migrationBuilder.CreateTable(
                name: "DomainClaims",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    DomainName = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    ClaimantInstitutionId = table.Column<long>(type: "INTEGER", nullable: false),
                    ChallengeToken = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    ResolvedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Resolution = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DomainClaims", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DomainClaims_Institutions_ClaimantInstitutionId",
                        column: x => x.ClaimantInstitutionId,
                        principalTable: "Institutions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DomainClaims_ClaimantInstitutionId",
                table: "DomainClaims",
                column: "ClaimantInstitutionId");

            migrationBuilder.CreateIndex(
                name: "IX_DomainClaims_DomainName_ClaimantInstitutionId",
                table: "DomainClaims",
                columns: new[] { "DomainName", "ClaimantInstitutionId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DomainClaims");

            migrationBuilder.DropColumn(
                name: "ChallengeToken",
                table: "Domains");

            migrationBuilder.DropColumn(
                name: "PublishProblem",
                table: "Domains");

            migrationBuilder.DropColumn(
                name: "VerifiedAt",
                table: "Domains");
        }
    }
}
