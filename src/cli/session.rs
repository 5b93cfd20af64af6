//! The session commands: `up` (the default), `stop`, `restart`, `attach`, `ls`, `status`.
use std::process::ExitCode;

use super::Ctx;
use crate::Result;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct UpArgs {
    /// Build the session but do not attach.
    #[arg(long)]
    pub detach: bool,
}

#[derive(Debug, clap::Args)]
pub struct StopArgs {}
#[derive(Debug, clap::Args)]
pub struct AttachArgs {}
#[derive(Debug, clap::Args)]
pub struct LsArgs {}
#[derive(Debug, clap::Args)]
pub struct StatusArgs {}

pub fn up(_ctx: &Ctx, _args: UpArgs) -> Result<ExitCode> {
    super::not_yet("up")
}
pub fn stop(_ctx: &Ctx, _args: StopArgs) -> Result<ExitCode> {
    super::not_yet("stop")
}
pub fn restart(_ctx: &Ctx, _args: UpArgs) -> Result<ExitCode> {
    super::not_yet("restart")
}
pub fn attach(_ctx: &Ctx, _args: AttachArgs) -> Result<ExitCode> {
    super::not_yet("attach")
}
pub fn ls(_ctx: &Ctx, _args: LsArgs) -> Result<ExitCode> {
    super::not_yet("ls")
}
pub fn status(_ctx: &Ctx, _args: StatusArgs) -> Result<ExitCode> {
    super::not_yet("status")
}
