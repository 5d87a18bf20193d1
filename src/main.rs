//! The `anju` binary: parse the command line, load config, hand over to the library.

fn main() -> anyhow::Result<()> {
    anju::cli::main()
}
