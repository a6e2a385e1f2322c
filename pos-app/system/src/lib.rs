//! The real clock and id source, handed to the core by the binaries (the window, the `pos`
//! command line, the tools). The core itself never reads the clock or makes randomness.

use pos_shared::{Clock, IdGen};
use rand::RngCore;
use uuid::Uuid;

pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }
}

pub struct RandomIds;

impl IdGen for RandomIds {
    fn new_id(&self, now_ms: i64) -> Uuid {
        let mut random = [0u8; 10];
        rand::rng().fill_bytes(&mut random);
        pos_shared::ids::uuid_v7(now_ms, random)
    }
}
