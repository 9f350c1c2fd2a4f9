package org.tornagrad.cli;

import java.util.Map;
import java.util.Stack;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Reads one {@code --option KEY=VALUE} into the command's map. picocli's own map options keep the
 * last value of a key given twice without a word, so {@code -o smooth=1 -o smooth=2} ran with
 * smooth=2; like an input given twice, a repeated key is a usage error here.
 */
final class OptionPairs implements CommandLine.IParameterConsumer {
    @Override
    public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec commandSpec) {
        String option = argSpec.isOption() ? ((CommandLine.Model.OptionSpec) argSpec).longestName() : "--option";
        if (args.isEmpty()) {
            throw new ParameterException(commandSpec.commandLine(),
                "Missing required parameter for option '" + option + "' (KEY=VALUE)");
        }
        String pair = args.pop();
        int eq = pair.indexOf('=');
        if (eq < 0) {
            throw new ParameterException(commandSpec.commandLine(),
                option + ": expected KEY=VALUE, got '" + pair + "'");
        }
        String key = pair.substring(0, eq);
        String value = pair.substring(eq + 1);
        Map<String, String> map = argSpec.getValue();
        if (map.containsKey(key)) {
            throw new ParameterException(commandSpec.commandLine(), option + " " + key + ": expected once, got '"
                + map.get(key) + "' and '" + value + "'");
        }
        map.put(key, value);
    }
}
