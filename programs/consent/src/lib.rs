use anchor_lang::prelude::*;
declare_id!("DUVKpvWuFrEmysjVdh3i2QoGnJqn3GHnB7HMGZePygJk");
#[program]
pub mod consent {
    use super::*;
    pub fn noop(_ctx: Context<Noop>) -> Result<()> {
        Ok(())
    }
}
#[derive(Accounts)]
pub struct Noop {}
