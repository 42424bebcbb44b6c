using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SenderAuth.Store.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ReportRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "RolledUp",
                table: "Reports",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "ReportIdentityDays",
                columns: table => new
                {
                    DomainId = table.Column<long>(type: "bigint", nullable: false),
                    Day = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    SourceIp = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: false),
                    Trusted = table.Column<bool>(type: "boolean", nullable: false),
                    DkimDomain = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    DkimSelector = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    SpfDomain = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    Records = table.Column<long>(type: "bigint", nullable: false),
                    Messages = table.Column<long>(type: "bigint", nullable: false),
                    DkimPassRecords = table.Column<long>(type: "bigint", nullable: false),
                    SpfPassRecords = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReportIdentityDays", x => new { x.DomainId, x.Day, x.SourceIp, x.Trusted, x.DkimDomain, x.DkimSelector, x.SpfDomain });
                    table.ForeignKey(
                        name: "FK_ReportIdentityDays_Domains_DomainId",
                        column: x => x.DomainId,
                        principalTable: "Domains",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ReportSourceDays",
                columns: table => new
                {
                    DomainId = table.Column<long>(type: "bigint", nullable: false),
                    Day = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    SourceIp = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: false),
                    ReporterOrg = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Trusted = table.Column<bool>(type: "boolean", nullable: false),
                    Records = table.Column<long>(type: "bigint", nullable: false),
                    Messages = table.Column<long>(type: "bigint", nullable: false),
                    DmarcPass = table.Column<long>(type: "bigint", nullable: false),
                    DkimAligned = table.Column<long>(type: "bigint", nullable: false),
                    SpfAligned = table.Column<long>(type: "bigint", nullable: false),
                    DkimPass = table.Column<long>(type: "bigint", nullable: false),
                    SpfPass = table.Column<long>(type: "bigint", nullable: false),
                    Forwarded = table.Column<long>(type: "bigint", nullable: false),
                    Quarantine = table.Column<long>(type: "bigint", nullable: false),
                    Reject = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReportSourceDays", x => new { x.DomainId, x.Day, x.SourceIp, x.ReporterOrg, x.Trusted });
                    table.ForeignKey(
                        name: "FK_ReportSourceDays_Domains_DomainId",
                        column: x => x.DomainId,
                        principalTable: "Domains",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Reports_RolledUp_Id",
                table: "Reports",
                columns: new[] { "RolledUp", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ReportIdentityDays");

            migrationBuilder.DropTable(
                name: "ReportSourceDays");

            migrationBuilder.DropIndex(
                name: "IX_Reports_RolledUp_Id",
                table: "Reports");

            migrationBuilder.DropColumn(
                name: "RolledUp",
                table: "Reports");
        }
    }
}
