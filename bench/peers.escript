#!/usr/bin/env escript
%% -*- erlang -*-
%%! +P 4000000
%%
%% The Erlang peer of the tasklife benchmarks (issue 18), run by bench/run (never by CI). Prints lines
%%     peer erlang <metric> <params or -> <score> <unit>
%% that bench/run hands to Suite (-Dtasklife.bench.peers), which sets them beside the tasklife rows of the
%% same run (tasklife / erlang), and one line "memory erlang-receive ..." per crowd.
%%
%%   spawnExit    spawn_monitor of a process that returns at once + its 'DOWN' (spawn + join), us/op;
%%                vs SpawnBench.spawnJoin_task_inTask / _host
%%   killDown     exit(P, kill) of a process blocked in receive -> its 'DOWN' received, p50 and p99 in us;
%%                vs KillLatencyBench.kill_semaphore p50 / p99
%%   killCrowd    a leader process and crowd - 1 processes spawn_link'ed to it, all blocked in receive and
%%                all monitored by the measuring process: exit(Leader, kill) -> the last 'DOWN' received
%%                (the links propagate the kill: a group kill + waiting for every member), median of
%%                3 shots (1 at 1,000,000), ms/op; vs MassKillBench.killGroup_* at equal crowd
%%
%% Usage: escript bench/peers.escript [quick | nomillion]
%%   quick: small counts, crowd=10000 only; nomillion: no 1,000,000 crowd (bench/run adds it with --peers)
%% The script is compiled (-mode(compile)), not interpreted, so the loops run as a module would.
-mode(compile).

main(Args) ->
    {Spawns, Kills, Crowds} =
        case {lists:member("quick", Args), lists:member("nomillion", Args)} of
            {true, _} -> {20000, 2000, [10000]};
            {false, true} -> {200000, 20000, [10000, 100000]};
            {false, false} -> {200000, 20000, [10000, 100000, 1000000]}
        end,
    io:format("# erlang ~s, erts ~s, ~p schedulers~n",
              [erlang:system_info(otp_release), erlang:system_info(version),
               erlang:system_info(schedulers_online)]),
    spawn_exit_loop(Spawns div 10), % warm-up
    SpawnNs = timed(fun() -> spawn_exit_loop(Spawns) end),
    peer("spawnExit", "-", SpawnNs / Spawns / 1000, "us/op"),
    _ = [kill_down_one() || _ <- lists:seq(1, Kills div 10)], % warm-up
    Sorted = lists:sort([kill_down_one() || _ <- lists:seq(1, Kills)]),
    peer("killDown.p50", "-", percentile(Sorted, 0.50) / 1000, "us/op"),
    peer("killDown.p99", "-", percentile(Sorted, 0.99) / 1000, "us/op"),
    lists:foreach(fun crowd/1, Crowds).

crowd(N) ->
    Shots = if N >= 1000000 -> 1; true -> 3 end,
    _ = kill_crowd(min(N, 10000)), % warm-up
    Results = [kill_crowd(N) || _ <- lists:seq(1, Shots)],
    Ms = lists:sort([Ns / 1.0e6 || {Ns, _} <- Results]),
    Bytes = lists:sort([B || {_, B} <- Results]),
    Params = "crowd=" ++ integer_to_list(N),
    peer("killCrowd", Params, lists:nth((Shots + 1) div 2, Ms), "ms/op"),
    io:format("# killCrowd ~s shots (ms): ~s~n", [Params, string:join([fmt(M) || M <- Ms], " ")]),
    io:format("memory erlang-receive  n=~b bytes/task=~b (process_info(P, memory) of a member blocked in receive)~n",
              [N, round(lists:nth((Shots + 1) div 2, Bytes))]).

peer(Metric, Params, Score, Unit) ->
    io:format("peer erlang ~s ~s ~s ~s~n", [Metric, Params, fmt(Score), Unit]).

fmt(X) -> float_to_list(float(X), [{decimals, 4}, compact]).

timed(F) ->
    T0 = erlang:monotonic_time(nanosecond),
    F(),
    erlang:monotonic_time(nanosecond) - T0.

percentile(Sorted, P) ->
    lists:nth(max(1, min(length(Sorted), round(P * length(Sorted)))), Sorted).

spawn_exit_loop(0) -> ok;
spawn_exit_loop(N) ->
    {_, Ref} = spawn_monitor(fun() -> ok end),
    receive {'DOWN', Ref, process, _, _} -> ok end,
    spawn_exit_loop(N - 1).

block() -> receive never_sent -> ok end.

%% Spins (yielding) until P is blocked in its receive: nothing is timed before every victim waits.
await_waiting(P) ->
    case erlang:process_info(P, status) of
        {status, waiting} -> ok;
        _ -> erlang:yield(), await_waiting(P)
    end.

kill_down_one() ->
    {P, Ref} = spawn_monitor(fun block/0),
    await_waiting(P),
    T0 = erlang:monotonic_time(nanosecond),
    exit(P, kill),
    receive {'DOWN', Ref, process, P, killed} -> erlang:monotonic_time(nanosecond) - T0 end.

%% {nanoseconds from exit(Leader, kill) to the last 'DOWN', process memory per member in bytes}
kill_crowd(N) ->
    garbage_collect(),
    Before = erlang:memory(processes),
    Self = self(),
    Leader = spawn(fun() ->
                       Members = [spawn_link(fun block/0) || _ <- lists:seq(1, N - 1)],
                       Self ! {members, self(), Members},
                       block()
                   end),
    Members = receive {members, Leader, Ms} -> Ms end,
    All = [Leader | Members],
    lists:foreach(fun(P) -> erlang:monitor(process, P) end, All),
    lists:foreach(fun await_waiting/1, All),
    %% a member's own size (process_info memory: control block, stack, heap, mailbox), median of up to
    %% 101; erlang:memory(processes) / N also counts the pid lists and heaps grown to hold them
    Sample = lists:sublist(Members, 101),
    Sizes = lists:sort([element(2, erlang:process_info(P, memory)) || P <- Sample]),
    PerProcess = case Sizes of
                     [] -> (erlang:memory(processes) - Before) / N;
                     _ -> lists:nth((length(Sizes) + 1) div 2, Sizes)
                 end,
    T0 = erlang:monotonic_time(nanosecond),
    exit(Leader, kill),
    await_downs(N),
    Ns = erlang:monotonic_time(nanosecond) - T0,
    {Ns, PerProcess}.

await_downs(0) -> ok;
await_downs(K) -> receive {'DOWN', _, process, _, _} -> await_downs(K - 1) end.
