using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SenderAuth.Store.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Ed25519Signing : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "Ed25519Enabled",
                table: "Domains",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "Ed25519DelegatedAt",
                table: "Domains",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Ed25519DelegatedAt",
                table: "Domains");

            migrationBuilder.DropColumn(
                name: "Ed25519Enabled",
                table: "Domains");
        }
    }
}
