using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SenderAuth.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ExpectedRecords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ExpectedRecordsJson",
                table: "Domains",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ExpectedRecordsJson",
                table: "Domains");
        }
    }
}
