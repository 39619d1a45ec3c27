fn main() -> std::process::ExitCode {
    revtops::cli::main()
}
