//! Integration tests: the real application on port 0, a fresh database per test, spoken to over
//! HTTP with reqwest. Runs on SQLite, or on PostgreSQL when ANJU_TEST_POSTGRES_URL is set.

mod access;
mod aftercare;
mod audit;
mod contract;
mod demo;
mod fidelity;
mod file_modes;
mod flow;
mod hardening;
mod helpers;
mod households;
mod kiosk;
mod layers;
mod methods;
mod metrics;
mod ownership;
mod pages;
mod races;
mod retention;
mod search;
mod selection;
mod service;
mod stats;
mod tickets;
mod upload_rejections;
mod webhooks;
