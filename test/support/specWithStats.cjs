// Mocha's spec reporter, plus the run's counts written as JSON (--reporter-option stats=FILE):
// scripts/test.mjs sums these files instead of scraping mocha's text.
"use strict";
const fs = require("node:fs");
const Mocha = require("mocha");

class SpecWithStats extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const file = options?.reporterOption?.stats ?? options?.reporterOptions?.stats;
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      if (!file) return;
      const s = runner.stats ?? {};
      fs.writeFileSync(file, JSON.stringify({ passed: s.passes ?? 0, failed: s.failures ?? 0, skipped: s.pending ?? 0 }));
    });
  }
}
module.exports = SpecWithStats;
