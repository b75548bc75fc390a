module.exports = { docs: ['stack-and-heap', 'aliasing'] };
