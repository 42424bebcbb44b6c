using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SenderAuth.Store.Data.Migrations.Sqlite
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
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "DeletedAt",
                table: "Domains",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Client",
                table: "Audit",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "KeyId",
                table: "Audit",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Scopes",
                table: "ApiKeys",
                type: "TEXT",
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
