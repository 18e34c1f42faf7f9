import { describe, expect, test } from "vitest";
import { classify, orderCommands, parseListing } from "./template.ts";

const dir = "/opt/antithesis/test/v1/t";

describe("test-composer template", () => {
  test("classifies every Antithesis prefix and nothing else", () => {
    expect(classify("first_setup")).toBe("first_");
    expect(classify("parallel_driver_x")).toBe("parallel_driver_");
    expect(classify("singleton_driver_x")).toBe("singleton_driver_");
    expect(classify("serial_driver_x")).toBe("serial_driver_");
    expect(classify("anytime_x")).toBe("anytime_");
    expect(classify("eventually_x")).toBe("eventually_");
    expect(classify("finally_x")).toBe("finally_");
    expect(classify("driver_x")).toBeUndefined();
    expect(classify("helper.sh")).toBeUndefined();
    expect(classify("helper_lib")).toBeUndefined();
  });

  test("refuses a command with an unknown prefix or without the executable bit, naming it", () => {
    expect(() => parseListing("client1", "t", `x ${dir}/run_workload.sh`)).toThrow(/client1:.*run_workload\.sh.*does not start with one of first_/);
    expect(parseListing("client1", "t", `x ${dir}/helper_util\nd ${dir}/helper_lib\nx ${dir}/anytime_a`).map((c) => c.name)).toEqual(["anytime_a"]);
    expect(() => parseListing("client1", "t", `- ${dir}/finally_check`)).toThrow(/finally_check is not executable/);
  });

  test("orders first_ → drivers → anytime_ → eventually_ → finally_", () => {
    const listing = ["finally_b", "eventually_e", "anytime_a", "singleton_driver_w", "first_z", "parallel_driver_p", "first_a"].map((n) => `x ${dir}/${n}`).join("\n");
    const ordered = orderCommands(parseListing("s", "t", listing)).map((c) => c.name);
    expect(ordered).toEqual(["first_a", "first_z", "parallel_driver_p", "singleton_driver_w", "anytime_a", "eventually_e", "finally_b"]);
  });
});
