//! anju (安居): backend of a city's relocation housing marketplace.

pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod domain;
pub mod enrolment;
pub mod error;
#[cfg(test)]
mod fuzz;
pub mod http_limits;
pub mod jobs;
pub mod maintenance;
pub mod metrics;
pub mod openapi;
pub mod outbound;
pub mod profile;
pub mod routes;
pub mod search;
pub mod startup;
pub mod state;
pub mod stats;
pub mod telemetry;
pub mod throttle;
pub mod upload;
