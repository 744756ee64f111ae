export * from './fakeExecutionBackend.js';
export * from './fakeBehaviour.js';
export * from './fakeRunEvents.js';
export * from './fakeBackendModule.js';
export * from './fakeProfileOptions.js';
export * from './fakeAsks.js';
