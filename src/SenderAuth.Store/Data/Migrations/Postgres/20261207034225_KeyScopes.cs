using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SenderAuth.Store.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class KeyScopes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "DeletedAt",
                table: "Institutions",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "DeletedAt",
                table: "Domains",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Client",
                table: "Audit",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "KeyId",
                table: "Audit",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Scopes",
                table: "ApiKeys",
                type: "character varying(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "admin");

            migrationBuilder.CreateIndex(
                name: "IX_Audit_At",
                table: "Audit",
                column: "At");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Audit_At",
                table: "Audit");

            migrationBuilder.DropColumn(
                name: "DeletedAt",
                table: "Institutions");

            migrationBuilder.DropColumn(
                name: "DeletedAt",
                table: "Domains");

            migrationBuilder.DropColumn(
                name: "Client",
                table: "Audit");

            migrationBuilder.DropColumn(
                name: "KeyId",
                table: "Audit");

            migrationBuilder.DropColumn(
                name: "Scopes",
                table: "ApiKeys");
        }
    }
}
