//! What the handlers share: the simulated clock, the faults asked for, and the
//! world (`crate::world`) behind a lock.

use crate::clock::SimClock;
use crate::faults::Faults;
use crate::seed;
use crate::world::World;
use crate::SimConfig;
use std::sync::Mutex;

pub struct SimState {
    pub clock: SimClock,
    pub faults: Faults,
    pub world: Mutex<World>,
}

impl SimState {
    pub fn new(config: &SimConfig) -> SimState {
        let clock = SimClock::new(config.clock_offset_secs);
        let mut world = seed::demo_world(clock.now_unix());
        world.reservation_tokens.extend(config.reservation_tokens.iter().cloned());
        SimState { clock, faults: Faults::default(), world: Mutex::new(world) }
    }
}
