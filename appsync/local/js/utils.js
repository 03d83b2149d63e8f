// The local AppSync's @aws-appsync/utils: the part of APPSYNC_JS's `util`, `extensions` and `runtime` the local
// AppSync implements, with AppSync's semantics, and the driver that runs one handler of one resolver file.
// Loaded once into the embedded QuickJS context (appsync/local/js/runtime.py); resolver files are defined by __appsync_define.
(function (global) {
  'use strict';

  // What the handler running now did besides returning: reset before each run.
  let state = null;

  function stop(kind, fields) {
    // util.error, util.unauthorized and runtime.earlyReturn end the handler at once, as on AppSync.
    const signal = new Error(fields.message || kind);
    signal.appsync = Object.assign({ kind: kind }, fields);
    throw signal;
  }

  function orNull(value) {
    return value === undefined ? null : value;
  }

  function errorOf(message, errorType, data, errorInfo) {
    return {
      message: String(message),
      errorType: orNull(errorType),
      data: orNull(data),
      errorInfo: orNull(errorInfo),
    };
  }

  function iso8601(epochMillis) {
    // AppSync's form: 2018-02-06T19:01:35.749Z
    return new Date(epochMillis).toISOString();
  }

  function uuid4() {
    const hex = [];
    for (let i = 0; i < 32; i += 1) {
      hex.push(Math.floor(Math.random() * 16).toString(16));
    }
    hex[12] = '4';
    hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
    const s = hex.join('');
    return [s.slice(0, 8), s.slice(8, 12), s.slice(12, 16), s.slice(16, 20), s.slice(20)].join('-');
  }

  // util.transform.toSubscriptionFilter: a filter object ({field: {operator: value}, and: [...], or: [...]})
  // to AppSync's filterJsonObject ({filterGroup: [{filters: [{fieldName, operator, value}]}]}): the object in
  // disjunctive form, each group the conditions that must all hold, any group enough.
  function groupsOf(filter, ignored) {
    let groups = [[]];
    Object.keys(filter).forEach(function (key) {
      const value = filter[key];
      if (value === undefined || ignored.indexOf(key) !== -1) {
        return;
      }
      if (key === 'or' || key === 'and') {
        if (!Array.isArray(value)) {
          throw new Error('toSubscriptionFilter: ' + key + ' takes a list of filter objects');
        }
        const parts = value.map(function (part) {
          return groupsOf(part, ignored);
        });
        let combined;
        if (key === 'or') {
          combined = [];
          parts.forEach(function (part) {
            combined = combined.concat(part);
          });
        } else {
          combined = [[]];
          parts.forEach(function (part) {
            combined = product(combined, part);
          });
        }
        groups = product(groups, combined);
        return;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new Error('toSubscriptionFilter: ' + key + ' takes an object of operators, like {eq: 1}');
      }
      const conditions = Object.keys(value).map(function (operator) {
        return { fieldName: key, operator: operator, value: value[operator] };
      });
      groups = groups.map(function (group) {
        return group.concat(conditions);
      });
    });
    return groups;
  }

  function product(left, right) {
    const out = [];
    left.forEach(function (a) {
      right.forEach(function (b) {
        out.push(a.concat(b));
      });
    });
    return out;
  }

  const util = {
    error: function (message, errorType, data, errorInfo) {
      stop('error', errorOf(message, errorType, data, errorInfo));
    },
    appendError: function (message, errorType, data, errorInfo) {
      state.appendedErrors.push(errorOf(message, errorType, data, errorInfo));
    },
    unauthorized: function () {
      stop('unauthorized', { message: 'Unauthorized', errorType: 'Unauthorized' });
    },
    autoId: function () {
      return uuid4();
    },
    time: {
      nowISO8601: function () {
        return iso8601(Date.now());
      },
      nowEpochSeconds: function () {
        return Math.floor(Date.now() / 1000);
      },
      nowEpochMilliSeconds: function () {
        return Date.now();
      },
      parseISO8601ToEpochMilliSeconds: function (text) {
        const millis = Date.parse(text);
        if (Number.isNaN(millis)) {
          stop('error', errorOf('Unable to parse ' + text + ' as an ISO 8601 date-time', 'ValidationError'));
        }
        return millis;
      },
      epochMilliSecondsToSeconds: function (millis) {
        return Math.floor(millis / 1000);
      },
      epochMilliSecondsToISO8601: function (millis) {
        return iso8601(millis);
      },
    },
    transform: {
      toSubscriptionFilter: function (filter, ignoredFields) {
        const groups = groupsOf(filter || {}, ignoredFields || []);
        return {
          filterGroup: groups
            .filter(function (group) {
              return group.length > 0;
            })
            .map(function (group) {
              return { filters: group };
            }),
        };
      },
    },
  };

  const extensions = {
    setSubscriptionFilter: function (filter) {
      state.subscriptionFilter = filter;
    },
    setSubscriptionInvalidationFilter: function (filter) {
      state.invalidationFilter = filter;
    },
    invalidateSubscriptions: function (invalidation) {
      state.invalidations.push(invalidation);
    },
  };

  const runtime = {
    earlyReturn: function (value) {
      stop('earlyReturn', { message: 'earlyReturn', value: orNull(value) });
    },
  };

  const console = {};
  ['log', 'info', 'warn', 'error', 'debug'].forEach(function (level) {
    console[level] = function () {
      if (state) {
        state.logs.push(Array.prototype.map.call(arguments, function (a) {
          return typeof a === 'string' ? a : JSON.stringify(a);
        }).join(' '));
      }
    };
  });

  const utils = Object.freeze({ util: util, extensions: extensions, runtime: runtime });
  const modules = {};

  // Every function path the local AppSync implements (util.time.nowISO8601, ...): what files are checked against.
  function implemented(prefix, object, out) {
    Object.keys(object).forEach(function (name) {
      const value = object[name];
      if (typeof value === 'function') {
        out.push(prefix + name);
      } else if (value && typeof value === 'object') {
        implemented(prefix + name + '.', value, out);
      }
    });
    return out;
  }

  global.console = console;
  global.__appsync_implemented = function () {
    return JSON.stringify(implemented('', utils, []));
  };
  global.__appsync_define = function (name, factory) {
    const module = factory(utils);
    modules[name] = module;
    return JSON.stringify(Object.keys(module).filter(function (key) {
      return typeof module[key] === 'function';
    }));
  };
  // Runs handler ('request' or 'response') of resolver file `name` with the context (given as JSON, so a fresh
  // object); answers JSON: what it returned (or how it stopped), the stash after it, and what it asked of the
  // extensions.
  global.__appsync_run = function (name, handler, context) {
    const ctx = JSON.parse(context);
    ctx.args = ctx.arguments;
    state = {
      appendedErrors: [],
      invalidations: [],
      subscriptionFilter: null,
      invalidationFilter: null,
      logs: [],
    };
    let outcome;
    try {
      outcome = { kind: 'return', value: orNull(modules[name][handler](ctx)) };
    } catch (error) {
      if (error && error.appsync) {
        outcome = error.appsync;
      } else {
        // QuickJS's stack has the frames only ("at request (<input>:4)"), so the error itself comes first.
        outcome = { kind: 'exception', message: String(error) + (error && error.stack ? '\n' + error.stack : '') };
      }
    }
    outcome.stash = ctx.stash;
    outcome.appendedErrors = state.appendedErrors;
    outcome.invalidations = state.invalidations;
    outcome.subscriptionFilter = state.subscriptionFilter;
    outcome.invalidationFilter = state.invalidationFilter;
    outcome.logs = state.logs;
    state = null;
    return JSON.stringify(outcome);
  };
})(globalThis);
